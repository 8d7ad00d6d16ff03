"""The day-30/90 check-in links: GET shows a confirm button, POST records the answer.

No sign-in needed: the signed token is the credential (it names one check-in, expires
after 30 days, and only records yes/no). GET never writes, because mail scanners
prefetch links.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from . import checkins

ANSWERS = {"yes": True, "no": False}


@require_http_methods(["GET", "POST"])
def checkin_answer(request: HttpRequest, token: str, answer: str) -> HttpResponse:
    active = ANSWERS[answer]
    if request.method == "POST":
        try:
            checkin = checkins.checkin_answer(token=token, active=active)
        except checkins.CheckinTokenInvalid as exc:
            return render(request, "onboarding/checkin_invalid.html", {"error": exc}, status=400)
        return render(request, "onboarding/checkin_done.html", {"checkin": checkin})
    try:
        checkin = checkins.checkin_from_token(token)
    except checkins.CheckinTokenInvalid as exc:
        return render(request, "onboarding/checkin_invalid.html", {"error": exc}, status=400)
    return render(
        request,
        "onboarding/checkin_confirm.html",
        {"checkin": checkin, "answer": answer, "active": active},
    )
