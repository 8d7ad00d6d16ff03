"""The day-30/90 check-in links: GET shows a confirm button, POST records the answer.

No sign-in needed: the signed token is the credential (it names one check-in, expires
after 30 days, and only records that check-in's answers and its reinforcement steps).
GET never writes, because mail scanners prefetch links.
"""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from . import checkins
from .forms import CheckinForm
from .selectors.reinforcement import reinforcement_items

ANSWERS = {"yes": True, "no": False}


def _invalid(request: HttpRequest, exc: Exception) -> HttpResponse:
    return render(request, "onboarding/checkin_invalid.html", {"error": exc}, status=400)


@require_http_methods(["GET", "POST"])
def checkin_answer(request: HttpRequest, token: str, answer: str) -> HttpResponse:
    active = ANSWERS[answer]
    try:
        checkin = checkins.checkin_from_token(token)
    except checkins.CheckinTokenInvalid as exc:
        return _invalid(request, exc)
    items = reinforcement_items(enrollment=checkin.enrollment, day=checkin.day)
    form = CheckinForm(request.POST if request.method == "POST" else None, items=items)
    if request.method == "POST" and form.is_valid():
        try:
            checkin = checkins.checkin_answer(
                token=token,
                active=active,
                sentiment=form.cleaned_data["sentiment"],
                steps_done=form.cleaned_data["steps"],
            )
        except checkins.CheckinTokenInvalid as exc:
            return _invalid(request, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            items = reinforcement_items(enrollment=checkin.enrollment, day=checkin.day)
            return render(
                request, "onboarding/checkin_done.html", {"checkin": checkin, "items": items}
            )
    return render(
        request,
        "onboarding/checkin_confirm.html",
        {
            "checkin": checkin,
            "answer": answer,
            "active": active,
            "form": form,
            "items": items,
            "version": checkin.enrollment.version,
        },
        status=400 if form.is_bound else 200,
    )
