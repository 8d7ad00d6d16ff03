"""The one context for /my/ (``onboarding/my.html``), for the person's own page and for a
preview of someone's week (the studio renders the same template with ``preview=True``)."""

from django.http import HttpRequest

from .forms import FvmForm
from .selectors.banners import banners_for
from .selectors.checklists import Checklist


def fvm_form_for(checklist: Checklist, data=None) -> FvmForm:
    return FvmForm(data, evidence_hint=checklist.enrollment.version.fvm_evidence)


def my_context(
    request: HttpRequest,
    checklist: Checklist,
    fvm_form: FvmForm | None = None,
    *,
    preview: bool = False,
) -> dict:
    """Everything ``onboarding/my.html`` reads.

    With ``preview`` the page shows a "Preview" ribbon and has no form that posts: the
    buttons and fields are disabled, there is no action to post to, and no banners (a
    preview's enrollment is transient, it has none).
    """
    fvm = checklist.fvm
    return {
        "c": checklist,
        "enrollment": checklist.enrollment,
        "version": checklist.enrollment.version,
        "fvm_form": fvm_form if fvm_form is not None else fvm_form_for(checklist),
        "minutes_longer": -fvm.minutes_saved if fvm else 0,
        # In-app interventions; each item renders as its sanitised HTML.
        "banners": [] if preview else banners_for(checklist.enrollment),
        "preview": preview,
    }
