"""The one context for /my/ (``onboarding/my.html``), for the person's own page and for a
preview of someone's week (the studio renders the same template with ``preview=True``)."""

import json
import secrets
from dataclasses import dataclass

from django.http import HttpRequest
from django.template.loader import get_template

from config.kept import Kept

from .forms import FvmForm
from .selectors.banners import banners_for
from .selectors.checklists import AFTER, Checklist, DayItem, StepItem


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
    fvm_form = fvm_form if fvm_form is not None else fvm_form_for(checklist)
    return {
        "c": checklist,
        "enrollment": checklist.enrollment,
        "version": checklist.enrollment.version,
        "fvm_form": fvm_form,
        "p": my_page(checklist, form_has_errors=fvm_form.is_bound and bool(fvm_form.errors)),
        "minutes_longer": -fvm.minutes_saved if fvm else 0,
        # In-app interventions; each item renders as its sanitised HTML.
        "banners": [] if preview else banners_for(checklist.enrollment),
        "preview": preview,
    }


# --- What the page leads with -----------------------------------------------------------

# From this working day on (or the FVM task's own day, if earlier) a person without first
# value sees the FVM task first: the day-5 nudge day, when managers are told they need support.
FVM_LEADS_FROM_DAY = 5


@dataclass
class MyPage:
    """How /my/ lays out a checklist: what leads, today's steps, the rest of the week."""

    lead: str  # "fvm": the FVM task and its form first; "today": today's steps first
    fvm_item: StepItem | None
    focus: DayItem | None
    today_open: list[StepItem]
    today_done: list[StepItem]
    earlier_open: list[StepItem]
    week: list[DayItem]  # every day; the focus day's steps are at the top

    @property
    def next_item(self) -> StepItem | None:
        return self.today_open[0] if self.today_open else None

    @property
    def fvm_at_top(self) -> bool:
        return self.lead == "fvm" or (
            self.fvm_item is not None and self.fvm_item in self.today_open
        )


def my_page(checklist: Checklist, *, form_has_errors: bool = False) -> MyPage:
    fvm_item = checklist.fvm_step
    reached = checklist.fvm is not None
    leads_from = FVM_LEADS_FROM_DAY
    if fvm_item is not None:
        leads_from = min(fvm_item.step.day, FVM_LEADS_FROM_DAY)
    due = checklist.phase == AFTER or (checklist.current_day or 0) >= leads_from
    # A form sent back with errors is shown first, wherever the task sits in the week.
    lead = "fvm" if not reached and (due or form_has_errors) else "today"
    focus = checklist.focus_day
    today = [s for s in focus.steps if not (lead == "fvm" and s.is_fvm)] if focus else []
    return MyPage(
        lead=lead,
        fvm_item=fvm_item,
        focus=focus,
        today_open=[s for s in today if not s.done_at],
        today_done=[s for s in today if s.done_at],
        earlier_open=[
            s for d in checklist.earlier_days for s in d.steps if not s.done_at and not s.is_fvm
        ],
        week=checklist.days,
    )


# --- The page under the banners, kept ------------------------------------------------------

MAIN = "onboarding/_my_main.html"
PAGES_MAX = 512  # pages kept per process (about 50 kB each)
# Stands for the CSRF token in a kept page; put back per request. Random per process, so no
# authored or typed text can contain it.
_CSRF_STANDIN = f"fv-csrf-{secrets.token_hex(16)}"
_kept = Kept(PAGES_MAX)  # HTML by my_main_key


def _who(user) -> tuple | None:
    return None if user is None else (user.pk, user.email, user.first_name, user.last_name)


def my_main_key(checklist: Checklist, fvm_form: FvmForm, *, preview: bool) -> tuple | None:
    """Everything ``onboarding/_my_main.html`` is made from, or None when it is made afresh
    (a preview, a draft, a form sent back with errors).

    The published version (immutable) by its id, publication and hash; the person, their
    manager and buddy as shown; today, the dates of their days, what they have done and when,
    and their first value. A new day, a step done or undone, a first value recorded or
    corrected, a name or a manager changed: another key, so a kept page is never stale."""
    version = checklist.enrollment.version
    if preview or fvm_form.is_bound or not version.is_published or version.pk is None:
        return None
    e, fvm = checklist.enrollment, checklist.fvm
    return (
        (version.pk, version.published_at, version.content_hash),
        (e.pk, e.updated_at, e.name, e.track, e.timezone, e.start_date),
        json.dumps(e.values, sort_keys=True, default=str),
        _who(e.user),
        _who(e.manager),
        _who(e.buddy),
        checklist.today,
        tuple((d.number, d.date) for d in checklist.days),
        tuple((s.step.pk, s.done_at) for s in checklist.steps),
        None
        if fvm is None
        else (
            fvm.pk,
            fvm.completed_at,
            fvm.local_date,
            fvm.ttv,
            fvm.minutes_taken,
            fvm.minutes_saved,
            fvm.evidence,
            fvm.rating,
        ),
    )


def my_main_html(context) -> str:
    """``onboarding/_my_main.html`` for ``context`` (my_context's, in a RequestContext),
    kept per :func:`my_main_key`: rendered once with a stand-in for the CSRF token, which
    is replaced by this request's token (one token serves every form of a page)."""
    values = context.flatten()
    token = values.get("csrf_token")
    if not token or token == "NOTPROVIDED":  # rendered outside a request: nothing to keep
        return get_template(MAIN).render(values)
    key = my_main_key(values["c"], values["fvm_form"], preview=values["preview"])
    html = _kept.get(key) if key is not None else None
    if html is None:
        html = get_template(MAIN).render({**values, "csrf_token": _CSRF_STANDIN})
        if key is not None:
            _kept.put(key, html)
    return html.replace(_CSRF_STANDIN, str(token))
