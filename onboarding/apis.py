"""The person's own API (/api/me/…) and the manager's (/api/team/).

Nothing here takes another person's id: every view starts from request.user, and a
step id is looked up on the caller's own path (someone else's step → 404).
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import progress, workdays
from .models import FvmCompletion
from .selectors.checklists import Checklist, checklist_build
from .selectors.enrollments import enrollment_for_user, path_step_for_enrollment
from .selectors.team import ReportRow, team_build
from .serializers import (
    ErrorSerializer,
    FvmCompletionSerializer,
    FvmCorrectionSerializer,
    FvmInputSerializer,
    MeSerializer,
    StepStateSerializer,
    TeamMemberSerializer,
)

ERR_400 = OpenApiResponse(description="Invalid input: errors keyed by field name.")
ERR_401 = OpenApiResponse(ErrorSerializer, description="Not signed in.")
ERR_403 = OpenApiResponse(ErrorSerializer, description="Not allowed (or CSRF check failed).")
ERR_404 = OpenApiResponse(ErrorSerializer, description="No enrollment, or not on your path.")
ERR_409 = OpenApiResponse(ErrorSerializer, description="First value was already recorded.")


class HasReports(BasePermission):
    message = "Only managers with enrolled reports can see a "

    def has_permission(self, request, view) -> bool:
        return request.user.managed_enrollments.exists()


def _enrollment(request):
    # Manager and buddy are not in these answers: not joined (read lazily if ever needed).
    enrollment = enrollment_for_user(user=request.user, people=False)
    if enrollment is None:
        raise NotFound("You are not enrolled.")
    return enrollment


def _fvm_data(fvm) -> dict | None:
    if fvm is None:
        return None
    return {
        "completed_at": fvm.completed_at,
        "local_date": fvm.local_date,
        "ttv": fvm.ttv,
        "minutes_taken": fvm.minutes_taken,
        "minutes_saved": fvm.minutes_saved,
        "evidence": fvm.evidence,
        "rating": fvm.rating,
    }


def _role_data(version) -> dict:
    return {"slug": version.pack.slug, "name": version.name}


def me_data(checklist: Checklist) -> dict:
    enrollment = checklist.enrollment
    return {
        "id": enrollment.id,
        "name": enrollment.name,
        "email": enrollment.user.email,
        "role": _role_data(enrollment.version),
        "version": enrollment.version.number,
        "track": enrollment.track,
        "path_track": checklist.track,
        "start_date": enrollment.start_date,
        "timezone": enrollment.timezone,
        "day_dates": {str(d.number): d.date for d in checklist.days if d.date},
        "phase": checklist.phase,
        "current_day": checklist.current_day,
        "steps_total": checklist.total,
        "steps_done": checklist.done,
        "days": [
            {
                "day": day.number,
                "date": day.date,
                "steps": [
                    {
                        "id": item.step.id,
                        "day": item.step.day,
                        "order": item.step.order,
                        "kind": item.step.kind,
                        "title": item.title,
                        "prompt_slug": item.step.prompt_slug,
                        "demo_slug": item.step.demo_slug,
                        "done_at": item.done_at,
                    }
                    for item in day.steps
                ],
            }
            for day in checklist.days
        ],
        "fvm_sentence": checklist.sentence,
        "fvm": _fvm_data(checklist.fvm),
        "minutes_saved": checklist.fvm.minutes_saved if checklist.fvm else None,
    }


# One serializer for every GET /api/me/: its fields are built once per process, not per
# request (their deep copy was a quarter of the request). to_representation keeps no state.
_ME = MeSerializer()


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="My enrollment, dated path and progress",
        responses={200: MeSerializer, 401: ERR_401, 403: ERR_403, 404: ERR_404},
    )
    def get(self, request):
        checklist = checklist_build(enrollment=_enrollment(request))
        return Response(_ME.to_representation(me_data(checklist)))


class MeStepApi(APIView):
    permission_classes = [IsAuthenticated]

    def _step(self, request, step_id: int):
        enrollment = _enrollment(request)
        step = path_step_for_enrollment(enrollment=enrollment, step_id=step_id)
        if step is None:
            raise NotFound("This step is not on your path.")
        return enrollment, step

    @extend_schema(
        summary="Mark one of my steps done (idempotent; not the FVM task: record first value)",
        request=None,
        responses={
            200: StepStateSerializer,
            400: ERR_400,
            401: ERR_401,
            403: ERR_403,
            404: ERR_404,
        },
    )
    def post(self, request, step_id: int):
        enrollment, step = self._step(request, step_id)
        try:
            completion = progress.step_complete(enrollment=enrollment, step=step)
        except ValidationError as exc:  # the FVM task: done by recording first value
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        return Response(StepStateSerializer({"id": step.id, "done_at": completion.done_at}).data)

    @extend_schema(
        summary="Undo a step marked done",
        request=None,
        responses={
            204: OpenApiResponse(description="The step is no longer done."),
            400: ERR_400,
            401: ERR_401,
            403: ERR_403,
            404: ERR_404,
        },
    )
    def delete(self, request, step_id: int):
        enrollment, step = self._step(request, step_id)
        try:
            progress.step_undo(enrollment=enrollment, step=step)
        except ValidationError as exc:
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeFvmApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Record my First Value Moment (once)",
        request=FvmInputSerializer,
        responses={
            201: FvmCompletionSerializer,
            400: ERR_400,
            401: ERR_401,
            403: ERR_403,
            404: ERR_404,
            409: ERR_409,
        },
    )
    def post(self, request):
        enrollment = _enrollment(request)
        serializer = FvmInputSerializer(data=request.data)
        # A time without an offset is the person's own local time.
        with timezone.override(workdays.valid_timezone(enrollment.timezone)):
            serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            fvm = progress.fvm_completion_record(
                enrollment=enrollment,
                minutes_taken=data["minutes_taken"],
                evidence=data["evidence"],
                rating=data["rating"],
                completed_at=data.get("completed_at"),
                confirmed=data.get("confirm_minutes", False),
            )
        except ValidationError as exc:
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        except progress.FvmAlreadyRecorded:
            return Response(
                {"detail": "You have already recorded your first value; nothing was changed."},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(FvmCompletionSerializer(_fvm_data(fvm)).data, status=201)

    @extend_schema(
        summary="Correct my First Value Moment (within 7 calendar days of recording it)",
        request=FvmCorrectionSerializer,
        responses={
            200: FvmCompletionSerializer,
            400: ERR_400,
            401: ERR_401,
            403: OpenApiResponse(
                ErrorSerializer, description="Recorded more than 7 days ago (or CSRF failed)."
            ),
            404: OpenApiResponse(
                ErrorSerializer, description="No enrollment, or nothing recorded."
            ),
        },
    )
    def patch(self, request):
        enrollment = _enrollment(request)
        serializer = FvmCorrectionSerializer(data=request.data)
        with timezone.override(workdays.valid_timezone(enrollment.timezone)):
            serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        confirmed = data.pop("confirm_minutes", False)
        try:
            fvm = progress.fvm_completion_correct(
                enrollment=enrollment, changes=data, confirmed=confirmed
            )
        except FvmCompletion.DoesNotExist as exc:
            raise NotFound("You have not recorded your first value yet.") from exc
        except progress.FvmCorrectionClosed as exc:
            raise PermissionDenied(str(exc)) from exc
        except ValidationError as exc:
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        return Response(FvmCompletionSerializer(_fvm_data(fvm)).data)


def team_member_data(row: ReportRow) -> dict:
    checklist = row.checklist
    enrollment = checklist.enrollment
    next_step = checklist.next_step if checklist.fvm is None else None
    offer = checklist.fvm_step if checklist.fvm is None else None
    return {
        "id": enrollment.id,
        "name": enrollment.name,
        "email": enrollment.user.email,
        "role": _role_data(enrollment.version),
        "phase": checklist.phase,
        "current_day": checklist.current_day,
        "steps_total": checklist.total,
        "steps_done": checklist.done,
        "needs_help_with": (
            {"id": next_step.step.id, "day": next_step.step.day, "title": next_step.title}
            if next_step
            else None
        ),
        "task_to_offer": (
            {"title": offer.title, "prompt_title": offer.prompt.title if offer.prompt else ""}
            if offer
            else None
        ),
        "fvm": _fvm_data(checklist.fvm),
    }


class TeamApi(APIView):
    permission_classes = [IsAuthenticated, HasReports]

    @extend_schema(
        summary="My reports' first-week progress (managers)",
        responses={200: TeamMemberSerializer(many=True), 401: ERR_401, 403: ERR_403},
    )
    def get(self, request):
        rows = team_build(manager=request.user)
        return Response(TeamMemberSerializer([team_member_data(r) for r in rows], many=True).data)
