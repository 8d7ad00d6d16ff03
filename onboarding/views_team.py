"""The 15-minute session as a calendar invite, ``/team/<enrollment id>/session.ics``: for the
person's manager or power user (the host), 10:00 on the person's next working day in their
timezone, the person and the host invited. 404 for anyone else."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from . import notifications
from .models import Enrollment


@require_safe
@login_required
def session_ics(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    user = request.user
    enrollment = (
        Enrollment.objects.select_related("user", "version")
        .filter(Q(manager=user) | Q(buddy=user), pk=enrollment_id)
        .first()
    )
    if enrollment is None:
        raise Http404("No such person on your team.")
    now = timezone.now()
    invitation = notifications.session_invitation(
        enrollment=enrollment,
        uid=f"session-{enrollment.pk}-{user.pk}-{now:%Y%m%d}@firstvalue",
        start=notifications.next_session_start(enrollment, now),
        host_email=user.email,
        host_name=user.get_full_name() or user.email,
        now=now,
    )
    response = HttpResponse(invitation, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="session.ics"'
    return response
