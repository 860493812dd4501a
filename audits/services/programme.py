"""Thematic, ad-hoc and multi-agency audits (seed 6.1.3–6.1.5): the annual audit plan and its
reviews, programme audits with sample criteria, their auditors, findings and action plan, and
partner contributors' sections."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.notifications import notify
from core.workdays import last_working_day_of_month
from organisation.models import CaseFile, Role, RoleAssignment

from ..models import (
    Audit,
    AuditKind,
    AuditPlan,
    AuditPlanItem,
    AuditPlanReview,
    AuditStatus,
    PartnerSection,
    ProgrammeAction,
    ProgrammeAudit,
    ToolVersion,
)
from .allocation import AllocationError, audit_allocate, team_managers_of
from .sampling import SAMPLED_KEY, sampled_cases

KIND_TO_AUDIT_KIND = {
    ProgrammeAudit.Kind.THEMATIC: AuditKind.THEMATIC,
    ProgrammeAudit.Kind.AD_HOC: AuditKind.AD_HOC,
    ProgrammeAudit.Kind.MULTI_AGENCY: AuditKind.MULTI_AGENCY,
}


class ProgrammeError(Exception):
    """A change the rules refuse; the message says why, for the person making it."""


class StaleEdit(ProgrammeError):
    """Someone else saved first: the form shows both texts rather than overwrite."""

    def __init__(self, message: str, *, current: str = "") -> None:
        super().__init__(message)
        self.current = current


# --- the annual audit plan ---------------------------------------------------------------------
def plan_year_for(day: datetime.date) -> int:
    """Plans run April to March: the year the plan covering ``day`` starts."""
    return day.year if day.month >= 4 else day.year - 1


@transaction.atomic
def plan_get_or_create(*, year_starting: int, actor: Any) -> AuditPlan:
    plan = AuditPlan.objects.filter(year_starting=year_starting).first()
    if plan is not None:
        return plan
    plan = AuditPlan(year_starting=year_starting, created_by=actor)
    plan._history_user = actor
    plan.save()
    return plan


@transaction.atomic
def plan_item_add(
    *, plan: AuditPlan, theme: str, month: datetime.date, lead: Any, scope: str, actor: Any, status: str = "planned"
) -> AuditPlanItem:
    theme = theme.strip()
    if not theme:
        raise ProgrammeError("Enter the theme")
    first = month.replace(day=1)
    if not datetime.date(plan.year_starting, 4, 1) <= first <= datetime.date(plan.year_starting + 1, 3, 1):
        raise ProgrammeError(f"The month must fall within the plan's year ({plan}).")
    item = AuditPlanItem(plan=plan, theme=theme, month=first, lead=lead, scope=scope.strip(), status=status)
    item._history_user = actor
    item.save()
    return item


@transaction.atomic
def plan_item_set_status(*, item: AuditPlanItem, status: str, actor: Any) -> AuditPlanItem:
    if status not in AuditPlanItem.Status.values:
        raise ProgrammeError("Choose a status")
    if item.status == status:
        return item  # no history row for a no-op
    item.status = status
    item._history_user = actor
    item.save(update_fields=["status"])
    return item


@transaction.atomic
def plan_review_record(
    *, plan: AuditPlan, body: str, reviewed_on: datetime.date, notes: str, actor: Any
) -> AuditPlanReview:
    """Record that the QA team, senior leadership or the board reviewed the plan."""
    if body not in AuditPlanReview.Body.values:
        raise ProgrammeError("Choose who reviewed the plan")
    return AuditPlanReview.objects.create(
        plan=plan, body=body, reviewed_on=reviewed_on, notes=notes.strip(), recorded_by=actor
    )


# --- programme audits --------------------------------------------------------------------------
@transaction.atomic
def programme_create(
    *,
    kind: str,
    title: str,
    actor: Any,
    reason: str = ProgrammeAudit.Reason.PLAN,
    reason_detail: str = "",
    tool_version: ToolVersion | None = None,
    criteria: dict[str, Any] | None = None,
    sample_size: int = 10,
    due_on: datetime.date | None = None,
    plan_item: AuditPlanItem | None = None,
    partnership_run: bool = False,
    partnership_themes: str = "",
    case_file: CaseFile | None = None,
) -> ProgrammeAudit:
    if kind not in ProgrammeAudit.Kind.values:
        raise ProgrammeError("Choose the kind of audit")
    if not title.strip():
        raise ProgrammeError("Enter a title")
    if kind == ProgrammeAudit.Kind.AD_HOC and reason == ProgrammeAudit.Reason.PLAN:
        raise ProgrammeError("Say why this ad-hoc audit is being opened")
    if tool_version is not None and tool_version.status != ToolVersion.Status.PUBLISHED:
        raise ProgrammeError("Only a published version of an audit tool can be used.")
    programme = ProgrammeAudit(
        kind=kind,
        title=title.strip(),
        reason=reason,
        reason_detail=reason_detail.strip(),
        tool_version=tool_version,
        criteria=dict(criteria or {}),
        sample_size=sample_size,
        due_on=due_on,
        plan_item=plan_item,
        partnership_run=partnership_run,
        partnership_themes=partnership_themes.strip(),
        case_file=case_file,
        created_by=actor,
    )
    programme._history_user = actor
    programme.save()
    return programme


@transaction.atomic
def programme_open_for_child(
    *, case_file: CaseFile, reason_detail: str, actor: Any, tool_version: ToolVersion | None = None
) -> ProgrammeAudit:
    """An ad-hoc audit opened from the child page: the child's case is its sample."""
    programme = programme_create(
        kind=ProgrammeAudit.Kind.AD_HOC,
        title=f"Ad-hoc audit of {case_file.case_reference}",
        reason=ProgrammeAudit.Reason.CHILD,
        reason_detail=reason_detail,
        tool_version=tool_version,
        criteria={SAMPLED_KEY: [case_file.pk]},
        sample_size=1,
        case_file=case_file,
        actor=actor,
    )
    programme.status = ProgrammeAudit.Status.SAMPLED
    programme._history_user = actor
    programme.save(update_fields=["status"])
    return programme


@transaction.atomic
def programme_set_criteria(
    *, programme: ProgrammeAudit, criteria: dict[str, Any], sample_size: int, actor: Any
) -> ProgrammeAudit:
    """Change the sample criteria: only before the sample is drawn."""
    locked = ProgrammeAudit.objects.select_for_update().get(pk=programme.pk)
    if (locked.criteria or {}).get(SAMPLED_KEY):
        raise ProgrammeError("The sample has been drawn, so its criteria can no longer change.")
    new = {k: v for k, v in criteria.items() if v not in (None, "", [], "any")}
    if new == dict(locked.criteria or {}) and sample_size == locked.sample_size:
        return locked
    locked.criteria = new
    locked.sample_size = sample_size
    locked.version += 1
    locked._history_user = actor
    locked.save(update_fields=["criteria", "sample_size", "version"])
    return locked


@transaction.atomic
def programme_set_auditors(*, programme: ProgrammeAudit, auditors: list[Any], actor: Any) -> ProgrammeAudit:
    if not auditors:
        raise ProgrammeError("Choose at least one auditor")
    programme.auditors.set(auditors)
    return programme


def _may_audit(auditor: Any, case: CaseFile, *, today: datetime.date) -> bool:
    if case.practitioner_id == auditor.pk or case.chair_id == auditor.pk or not auditor.is_active:
        return False
    return all(m.pk != auditor.pk for m in team_managers_of(case.team_id, today=today))


@transaction.atomic
def programme_allocate(*, programme: ProgrammeAudit, actor: Any, today: datetime.date | None = None) -> list[Audit]:
    """Allocate the sampled cases among the programme's auditors, round-robin in a fixed order
    (auditors by name, cases in draw order), skipping an auditor who works with, chairs or
    manages the case. Idempotent: a case already allocated in this programme is left alone."""
    day = today or timezone.localdate()
    locked = ProgrammeAudit.objects.select_for_update().get(pk=programme.pk)
    if locked.tool_version is None:
        raise ProgrammeError("Choose the audit tool before allocating the sample.")
    auditors = list(locked.auditors.order_by("full_name", "pk"))
    if not auditors:
        raise ProgrammeError("Choose the auditors before allocating the sample.")
    cases = sampled_cases(locked)
    if not cases:
        raise ProgrammeError("Draw the sample before allocating it.")
    done = set(
        Audit.objects.filter(programme=locked)
        .exclude(status=AuditStatus.CANCELLED)
        .values_list("case_file_id", flat=True)
    )
    due = locked.due_on or last_working_day_of_month(day.year, day.month)
    made: list[Audit] = []
    turn = 0
    for case in cases:
        if case.pk in done:
            continue
        for step in range(len(auditors)):
            auditor = auditors[(turn + step) % len(auditors)]
            if _may_audit(auditor, case, today=day):
                break
        else:
            continue  # nobody may audit this case: left for the QA team to allocate by hand
        try:
            audit = audit_allocate(
                case_file=case,
                auditor=auditor,
                tool_version=locked.tool_version,
                due_on=max(due, day),
                actor=actor,
                kind=KIND_TO_AUDIT_KIND[locked.kind],
                reason=f"{locked.get_kind_display()}: {locked.title}"[:300],
                today=day,
                programme=locked,
            )
        except AllocationError:
            continue
        made.append(audit)
        turn = (auditors.index(auditor) + 1) % len(auditors)
    if made and locked.status in (ProgrammeAudit.Status.PLANNING, ProgrammeAudit.Status.SAMPLED):
        locked.status = ProgrammeAudit.Status.IN_PROGRESS
        locked._history_user = actor
        locked.save(update_fields=["status"])
    return made


@transaction.atomic
def programme_record_findings(
    *,
    programme: ProgrammeAudit,
    findings: str,
    recommendations: str,
    partnership_themes: str,
    version: int,
    actor: Any,
) -> ProgrammeAudit:
    """Save findings, recommendations (and a partnership-run audit's themes), version-checked."""
    locked = ProgrammeAudit.objects.select_for_update().get(pk=programme.pk)
    if locked.version != version:
        raise StaleEdit("Someone else saved these findings while you were editing.", current=locked.findings)
    values = {
        "findings": findings.strip(),
        "recommendations": recommendations.strip(),
        "partnership_themes": partnership_themes.strip(),
    }
    if all(getattr(locked, k) == v for k, v in values.items()):
        return locked
    for key, value in values.items():
        setattr(locked, key, value)
    locked.version += 1
    if locked.findings and locked.status != ProgrammeAudit.Status.CLOSED:
        locked.status = ProgrammeAudit.Status.REPORTED
    locked._history_user = actor
    locked.save()
    return locked


@transaction.atomic
def programme_action_add(
    *, programme: ProgrammeAudit, description: str, owner: Any, due_on: datetime.date, actor: Any
) -> ProgrammeAction:
    if not description.strip():
        raise ProgrammeError("Describe the action")
    action = ProgrammeAction(programme=programme, description=description.strip(), owner=owner, due_on=due_on)
    action._history_user = actor
    action.save()
    notify(
        recipient=owner,
        kind="programme-action",
        key=f"programme-action:{action.pk}",
        message="An action from an audit has been given to you",
        url=reverse("audits:programme-detail", args=[programme.pk]),
    )
    return action


# --- multi-agency audits: partner sections -----------------------------------------------------
def partner_contributors(*, today: datetime.date) -> Any:
    from organisation.models import User

    ids = RoleAssignment.objects.active_on(today).filter(role=Role.PARTNER_CONTRIBUTOR).values("person_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("full_name", "pk")


@transaction.atomic
def partner_section_add(
    *, programme: ProgrammeAudit, partner: Any, agency: str, title: str, prompt: str, actor: Any
) -> PartnerSection:
    if programme.kind != ProgrammeAudit.Kind.MULTI_AGENCY:
        raise ProgrammeError("Partner sections belong to multi-agency audits.")
    section = PartnerSection(
        programme=programme, partner=partner, agency=agency.strip(), title=title.strip(), prompt=prompt.strip()
    )
    section._history_user = actor
    section.save()
    notify(
        recipient=partner,
        kind="partner-section",
        key=f"partner-section:{section.pk}",
        message="You have been asked to contribute a section to a multi-agency audit",
        url=reverse("audits:partner-section", args=[section.pk]),
    )
    return section


@transaction.atomic
def partner_section_save(*, section: PartnerSection, content: str, version: int, actor: Any) -> PartnerSection:
    """Save the partner's text; a stale version is refused with the text saved meanwhile."""
    locked = PartnerSection.objects.select_for_update().get(pk=section.pk)
    if locked.submitted_at is not None:
        raise ProgrammeError("This section has been submitted, so it can no longer change.")
    if locked.version != version:
        raise StaleEdit("This section was saved elsewhere while you were editing.", current=locked.content)
    content = content.strip()
    if content == locked.content:
        return locked
    locked.content = content
    locked.version += 1
    locked._history_user = actor
    locked.save(update_fields=["content", "version"])
    return locked


@transaction.atomic
def partner_section_submit(
    *, section: PartnerSection, actor: Any, now: datetime.datetime | None = None
) -> PartnerSection:
    locked = PartnerSection.objects.select_for_update().get(pk=section.pk)
    if locked.submitted_at is not None:
        return locked
    if not locked.content.strip():
        raise ProgrammeError("Write the section before submitting it")
    locked.submitted_at = now or timezone.now()
    locked._history_user = actor
    locked.save(update_fields=["submitted_at"])
    return locked


def register() -> None:
    """Hooks, loaders and sweeps of this part (called once at start-up): none yet."""
