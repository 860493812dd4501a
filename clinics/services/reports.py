"""Highlight reports (DESIGN section 8): drafts, the author's narrative, finalising and reopening.

A report is one (kind, scope, month). While it is a draft its figures are read live from the
data by the kind's builder (``report_kinds.KINDS[kind].build``); finalising freezes those figures
(the report context, plain JSON) and the narrative as a dated :class:`ReportVersion`, so later
data never changes what was tabled at a clinic or board. Reopening makes a revision: the next
finalise is version n + 1 and the earlier versions stay.

The narrative is edited as one part with an integer ``narrative_version`` (STYLE.md 15): a save
from a page opened before someone else's save is a conflict that shows both texts per box and
overwrites nothing. Length never blocks anything: the page only warns above three sides.

Permission: every write checks :func:`clinics.permissions.can_write_report` for the actor (the
views have already answered 404 to anyone outside the report's scope).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from organisation.models import ServiceArea, Team, User
from organisation.scope import Scope, scope_for

from ..models import HighlightReport, ReportVersion
from ..permissions import Place, can_write_report, level_of, place_of, scope_key_for
from ..report_kinds import KINDS

BOX_MAX = 10_000
STALE = (
    "Someone else saved this report's narrative since you opened it. Nothing has been overwritten: "
    "compare the two texts, then save again to keep yours."
)


class ReportError(Exception):
    """A change the rules refuse; the message says why, for the person making it."""


class ReportNotEditable(ReportError):
    """The report is finalised (or not a draft): its narrative cannot change until it is reopened."""


@dataclass(frozen=True)
class BoxClash:
    key: str
    label: str
    yours: str
    theirs: str

    def as_json(self) -> dict[str, str]:
        return {"key": self.key, "label": self.label, "yours": self.yours, "theirs": self.theirs}


@dataclass
class NarrativeSave:
    """What a narrative save did: the report, its version now, and any clashes (nothing saved)."""

    report: HighlightReport
    saved: bool
    clashes: list[BoxClash] = field(default_factory=list)
    saved_at: datetime.datetime | None = None

    @property
    def version(self) -> int:
        return self.report.narrative_version

    @property
    def conflicted(self) -> bool:
        return bool(self.clashes)


# --- helpers -------------------------------------------------------------------------------------
def _scope(actor: User, scope: Scope | None) -> Scope:
    return scope if scope is not None else scope_for(actor)


def _require_writer(report_or_kind: HighlightReport | str, place: Place, actor: User, scope: Scope | None) -> None:
    kind = report_or_kind.kind if isinstance(report_or_kind, HighlightReport) else report_or_kind
    if not can_write_report(_scope(actor, scope), kind, place):
        raise ReportError("Only the report's author can change it.")


def _locked(report: HighlightReport) -> HighlightReport:
    # Lock only the report's own row: PostgreSQL refuses FOR UPDATE over nullable joins.
    return (
        HighlightReport.objects.select_for_update(of=("self",)).select_related("team", "service_area").get(pk=report.pk)
    )


def _save(report: HighlightReport, actor: User, fields: list[str]) -> None:
    report._history_user = actor  # type: ignore[attr-defined]
    report.save(update_fields=[*fields, "updated_at"])


def _frozen(context: dict[str, Any]) -> dict[str, Any]:
    """A deep, JSON-only copy: what is stored is exactly what the renderer will read back."""
    return json.loads(json.dumps(context, default=str))


def last_final_version(*, kind: str, scope_key: str, before: datetime.date) -> ReportVersion | None:
    """The newest finalised version of this kind and scope for an earlier month."""
    return (
        ReportVersion.objects.filter(report__kind=kind, report__scope_key=scope_key, report__period__lt=before)
        .order_by("-report__period", "-number")
        .first()
    )


def latest_version(report: HighlightReport) -> ReportVersion | None:
    return report.versions.order_by("-number").first()


# --- reading -------------------------------------------------------------------------------------
def live_context(report: HighlightReport) -> dict[str, Any]:
    """The report's figures read from the data now (the kind's builder)."""
    return KINDS[report.kind].build(place_of(report), report.period)


def context_for(report: HighlightReport, *, version: ReportVersion | None = None) -> dict[str, Any]:
    """The frozen context of ``version`` (default the latest) when final, else the live one."""
    if version is not None:
        return version.context
    if report.status == HighlightReport.Status.FINAL:
        latest = latest_version(report)
        if latest is not None:
            return latest.context
    return live_context(report)


# --- writing -------------------------------------------------------------------------------------
@transaction.atomic
def open_report(
    *, kind: str, place: Place, period: datetime.date, actor: User, scope: Scope | None = None
) -> HighlightReport:
    """The draft (or existing report) for this kind, place and month, created for its writer.

    A new report starts from the last finalised version of the same kind and scope (its narrative
    copied, ``started_from`` set), so each month's author begins from what was tabled last time.
    """
    if kind not in KINDS:
        raise ReportError("There is no such report.")
    level = level_of(kind)
    if (level == "team") != isinstance(place, Team) or (level == "area") != isinstance(place, ServiceArea):
        raise ReportError("This report is not about that place.")
    period = period.replace(day=1)
    key = scope_key_for(place)
    existing = HighlightReport.objects.filter(kind=kind, scope_key=key, period=period).first()
    if existing is not None:
        return existing
    _require_writer(kind, place, actor, scope)
    previous = last_final_version(kind=kind, scope_key=key, before=period)
    boxes = {box.key for box in KINDS[kind].boxes}
    report = HighlightReport(
        kind=kind,
        scope_key=key,
        team=place if isinstance(place, Team) else None,
        service_area=place if isinstance(place, ServiceArea) else None,
        period=period,
        narrative={k: v for k, v in (previous.narrative if previous else {}).items() if k in boxes},
        tables_in_appendix=previous.tables_in_appendix if previous else False,
        started_from=previous,
        author=actor,
    )
    report._history_user = actor  # type: ignore[attr-defined]
    # Two writers opening the same month at once: the unique constraint keeps one row.
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        existing = HighlightReport.objects.filter(kind=kind, scope_key=key, period=period).first()
        if existing is None:
            raise
        return existing
    return report


def clean_boxes(kind: str, boxes: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Draft rules for the narrative: known boxes only, each at most BOX_MAX characters.
    Returns (cleaned boxes, {box key: error message})."""
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    for box in KINDS[kind].boxes:
        if box.key not in boxes:
            continue
        text = (boxes[box.key] or "").replace("\r\n", "\n").strip()
        if len(text) > BOX_MAX:
            errors[box.key] = f"{box.label} must be {BOX_MAX:,} characters or fewer"
        cleaned[box.key] = text
    return cleaned, errors


@transaction.atomic
def save_narrative(
    *,
    report: HighlightReport,
    boxes: dict[str, str],
    version: int | None,
    actor: User,
    scope: Scope | None = None,
    now: datetime.datetime | None = None,
) -> NarrativeSave:
    """Save the author's narrative boxes while the report is a draft.

    ``version`` is the ``narrative_version`` the page was opened with. If someone saved since,
    nothing is written and every box whose text differs is returned as a clash (both texts); the
    author keeps theirs by saving again with the version now. A save that changes nothing writes
    no history row and bumps no version. Boxes not posted keep their text.
    """
    locked = _locked(report)
    _require_writer(locked, place_of(locked), actor, scope)
    if locked.status != HighlightReport.Status.DRAFT:
        raise ReportNotEditable("This report is finalised. Reopen it to revise the narrative.")
    cleaned, errors = clean_boxes(locked.kind, boxes)
    if errors:
        raise ReportError(next(iter(errors.values())))
    merged = {**locked.narrative, **cleaned}
    merged = {k: v for k, v in merged.items() if v}
    current = {k: v for k, v in locked.narrative.items() if v}
    moment = now or timezone.now()
    if merged == current:
        return NarrativeSave(report=locked, saved=False, saved_at=moment)
    if version is None or int(version) != locked.narrative_version:
        labels = {box.key: box.label for box in KINDS[locked.kind].boxes}
        clashes = [
            BoxClash(key=key, label=labels[key], yours=text, theirs=locked.narrative.get(key, ""))
            for key, text in cleaned.items()
            if text != locked.narrative.get(key, "")
        ]
        return NarrativeSave(report=locked, saved=False, clashes=clashes, saved_at=None)
    locked.narrative = merged
    locked.narrative_version += 1
    locked.author = actor
    _save(locked, actor, ["narrative", "narrative_version", "author"])
    return NarrativeSave(report=locked, saved=True, saved_at=moment)


@transaction.atomic
def set_tables_in_appendix(
    *, report: HighlightReport, value: bool, actor: User, scope: Scope | None = None
) -> HighlightReport:
    """Move the data tables to an appendix (or back). Only while a draft; never blocks finalising."""
    locked = _locked(report)
    _require_writer(locked, place_of(locked), actor, scope)
    if locked.status != HighlightReport.Status.DRAFT:
        raise ReportNotEditable("This report is finalised. Reopen it to change where the tables go.")
    if locked.tables_in_appendix != value:
        locked.tables_in_appendix = value
        _save(locked, actor, ["tables_in_appendix"])
    return locked


@transaction.atomic
def finalise(
    *,
    report: HighlightReport,
    actor: User,
    scope: Scope | None = None,
    now: datetime.datetime | None = None,
    queue_pdf: bool = True,
) -> ReportVersion:
    """Freeze the live figures and the narrative as version n + 1, and queue its PDF (on commit).

    Never blocked by length: a long report is the author's judgement (the page warns). The stored
    context is a JSON copy of what the builder returned, so later data never changes it.
    ``queue_pdf=False`` is for the demo seed, which renders no PDFs.
    """
    locked = _locked(report)
    _require_writer(locked, place_of(locked), actor, scope)
    if locked.status != HighlightReport.Status.DRAFT:
        raise ReportNotEditable("This report is already finalised.")
    number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ReportVersion.objects.create(
        report=locked,
        number=number,
        context=_frozen(live_context(locked)),
        narrative=dict(locked.narrative),
        tables_in_appendix=locked.tables_in_appendix,
        author_name=(locked.author or actor).full_name,
        finalised_by=actor,
        finalised_at=now or timezone.now(),
    )
    locked.status = HighlightReport.Status.FINAL
    _save(locked, actor, ["status"])
    if queue_pdf:
        # The job row is written with the version (a row first, STYLE.md 16); it is queued to
        # Celery when this transaction commits.
        from ..pdf_jobs import queue_report_pdf

        queue_report_pdf(report=locked, version=version, actor=actor)
    return version


@transaction.atomic
def reopen(*, report: HighlightReport, actor: User, scope: Scope | None = None) -> HighlightReport:
    """Back to a draft for a revision; the versions already finalised stay as they are."""
    locked = _locked(report)
    _require_writer(locked, place_of(locked), actor, scope)
    if locked.status != HighlightReport.Status.FINAL:
        raise ReportNotEditable("This report is already a draft.")
    locked.status = HighlightReport.Status.DRAFT
    _save(locked, actor, ["status"])
    return locked
