"""The monthly allocation (DESIGN section 4, seed 6.1.1): propose, review, confirm; then cancel,
reallocate or declare a conflict.

The draw is random but reproducible: ``random.Random(f"allocation:{YYYY-MM}")`` over candidates
ordered by case reference, stratified by (service area, case type) so the month's audits are spread
in proportion to the eligible caseload. Running it twice allocates nothing new: the round's month is
unique (one proposal a month) and the audits' constraints ``audit_one_monthly_per_auditor`` and
``audit_case_once_a_month`` refuse a second live monthly audit however many workers race.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.models import QASettings
from core.notifications import Notice, notify, notify_many
from core.sweeps import register_sweep
from core.workdays import last_working_day_of_month
from organisation.models import CaseFile, CaseType, Duty, DutyAssignment, Role, RoleAssignment, User
from organisation.scope import QA_ROLES

from ..models import (
    OPEN_STATUSES,
    AllocationProposal,
    AllocationRound,
    Audit,
    AuditKind,
    AuditStatus,
    CancelCategory,
)
from .allocation import AllocationError, audit_allocate, team_managers_by_team, tool_version_for_case_type

# People whose only roles are these do early help audits, chosen by the early help strategic lead.
EARLY_HELP_ROLES = frozenset({Role.EH_COORDINATOR, Role.EH_STRATEGIC_LEAD})
MANAGING_ROLES = frozenset({Role.TEAM_MANAGER, Role.EH_COORDINATOR})
RECENT_AUDIT_MONTHS = 6
SWAP_CHOICES = 50

REASON_FEWER = "Fewer eligible files than auditors: every file they could audit was drawn for someone else."
REASON_NO_POOL = (
    "No eligible file this month: none is open long enough, unrestricted and not audited in the last "
    "six months outside the teams they manage and the cases they work on, chair or review."
)
REASON_EXCLUDED = "Excluded from this month's allocation."
REASON_ALREADY = "Already has a monthly audit this month."

# Test hook: called in allocation_confirm after the proposal is read and before any audit is
# inserted, so a test can hold two confirmations at the same point (a barrier) to force the race.
before_confirm_inserts: Callable[[], None] | None = None


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def months_before(month: datetime.date, n: int) -> datetime.date:
    """The first day of the calendar month ``n`` months before ``month``."""
    index = month.year * 12 + (month.month - 1) - n
    return datetime.date(index // 12, index % 12 + 1, 1)


# --- reading what the draw needs (a fixed number of queries, whatever the size) ----------------------
@dataclass(frozen=True)
class Candidate:
    pk: int
    reference: str
    case_type: str
    team_id: int
    area_id: int
    practitioner_id: int | None
    chair_id: int | None
    family: str

    @property
    def stratum(self) -> tuple[int, str]:
        return (self.area_id, self.case_type)


@dataclass
class Auditor:
    pk: int
    name: str
    managed_team_ids: set[int] = field(default_factory=set)

    def may_audit(self, case: Candidate) -> bool:
        """Never a case in a team they manage directly, their own case, or one they chair or review."""
        return case.team_id not in self.managed_team_ids and self.pk not in (case.practitioner_id, case.chair_id)


@dataclass
class DrawContext:
    month: datetime.date
    today: datetime.date
    auditors: list[Auditor]
    candidates: list[Candidate]  # eligible files, ordered by case reference
    taken_auditor_ids: set[int]  # already have a live monthly audit this month
    blocked_families: set[str]  # a child of the family is audited (or allocated) this month


def draw_context(*, month: datetime.date, today: datetime.date) -> DrawContext:
    """Everything the draw needs, read in five queries (settings, auditors, roles, audits, files)."""
    settings = QASettings.current()
    holders = DutyAssignment.objects.active_on(today).filter(duty=Duty.AUDITOR).values("person_id")
    people = list(User.objects.filter(pk__in=holders, is_active=True).order_by("pk").values_list("pk", "full_name"))
    roles: dict[int, set[str]] = defaultdict(set)
    managed: dict[int, set[int]] = defaultdict(set)
    for person_id, role, team_id in (
        RoleAssignment.objects.active_on(today)
        .filter(person_id__in=holders)
        .values_list("person_id", "role", "team_id")
    ):
        roles[person_id].add(role)
        if role in MANAGING_ROLES and team_id:
            managed[person_id].add(team_id)
    auditors = [
        Auditor(pk=pk, name=name, managed_team_ids=managed[pk])
        for pk, name in people
        # Early help co-ordinators and operational managers do early help audits instead.
        if not (roles[pk] and roles[pk] <= EARLY_HELP_ROLES)
    ]

    # Audited since the same day six calendar months earlier (any audit not cancelled), or
    # already allocated this month; and the families with a child audited this month.
    # The month's first day is the allocation's reference day, so the same inputs give the same draw.
    cutoff = months_before(month, RECENT_AUDIT_MONTHS)
    cutoff_at = timezone.make_aware(datetime.datetime.combine(cutoff, datetime.time.min))
    recent_case_ids: set[int] = set()
    taken_auditor_ids: set[int] = set()
    blocked_families: set[str] = set()
    for case_id, audit_month, kind, auditor_id, family in (
        Audit.objects.exclude(status=AuditStatus.CANCELLED)
        .filter(Q(month__gte=cutoff) | Q(submitted_at__gte=cutoff_at))
        .values_list("case_file_id", "month", "kind", "auditor_id", "case_file__family_reference")
    ):
        recent_case_ids.add(case_id)
        if audit_month == month:
            if family:
                blocked_families.add(family)
            if kind == AuditKind.MONTHLY:
                taken_auditor_ids.add(auditor_id)

    opened_by = months_before(month, settings.min_open_months_social_work)
    rows = (
        CaseFile.objects.filter(closed_on__isnull=True, restricted=False, opened_on__lte=opened_by)
        .exclude(case_type=CaseType.EARLY_HELP)
        .order_by("case_reference")
        .values_list(
            "pk",
            "case_reference",
            "case_type",
            "team_id",
            "team__service_area_id",
            "practitioner_id",
            "chair_id",
            "family_reference",
        )
    )
    candidates = [Candidate(*row) for row in rows if row[0] not in recent_case_ids]
    return DrawContext(
        month=month,
        today=today,
        auditors=auditors,
        candidates=candidates,
        taken_auditor_ids=taken_auditor_ids,
        blocked_families=blocked_families,
    )


# --- the draw (pure: the same context always gives the same proposal) ----------------------------
@dataclass(frozen=True)
class Draw:
    auditor_id: int
    case_id: int | None
    reason_none: str = ""


def _quotas(sizes: dict[tuple[int, str], int], places: int) -> dict[tuple[int, str], int]:
    """Share ``places`` between strata in proportion to their sizes (largest remainder)."""
    total = sum(sizes.values())
    if not total or not places:
        return dict.fromkeys(sizes, 0)
    places = min(places, total)
    exact = {key: places * size / total for key, size in sizes.items()}
    quotas = {key: int(value) for key, value in exact.items()}
    left = places - sum(quotas.values())
    for key in sorted(exact, key=lambda k: (-(exact[k] - quotas[k]), k))[:left]:
        quotas[key] += 1
    return quotas


def draw(context: DrawContext) -> list[Draw]:
    """One case file per auditor, spread across service areas and case types in proportion to
    the eligible caseload. Seeded from the month over ordered candidates: reproducible."""
    rng = random.Random(f"allocation:{context.month:%Y-%m}")
    families = set(context.blocked_families)
    strata: dict[tuple[int, str], list[Candidate]] = defaultdict(list)
    for case in context.candidates:  # ordered by case reference
        if case.family and case.family in families:
            continue
        strata[case.stratum].append(case)
    keys = sorted(strata)
    for key in keys:
        rng.shuffle(strata[key])

    auditors = [a for a in context.auditors if a.pk not in context.taken_auditor_ids]
    rng.shuffle(auditors)
    quotas = _quotas({key: len(strata[key]) for key in keys}, len(auditors))
    slots = [key for key in keys for _ in range(quotas[key])]
    rng.shuffle(slots)

    def take(auditor: Auditor, key: tuple[int, str]) -> Candidate | None:
        pool = strata[key]
        for index, case in enumerate(pool):
            if case.family and case.family in families:
                continue
            if auditor.may_audit(case):
                del pool[index]
                if case.family:
                    families.add(case.family)
                return case
        return None

    result: dict[int, Draw] = {}
    for turn, auditor in enumerate(auditors):
        first = slots[turn] if turn < len(slots) else None
        # The stratum of this turn first, then the strata still owed files, then any.
        order = ([first] if first else []) + [k for k in keys if quotas[k] > 0 and k != first] + keys
        chosen = None
        for key in order:
            chosen = take(auditor, key)
            if chosen is not None:
                if quotas[key] > 0:
                    quotas[key] -= 1
                break
        if chosen is None:
            pool = any(auditor.may_audit(c) for c in context.candidates)
            result[auditor.pk] = Draw(auditor.pk, None, REASON_FEWER if pool else REASON_NO_POOL)
        else:
            result[auditor.pk] = Draw(auditor.pk, chosen.pk)
    for auditor in context.auditors:
        if auditor.pk in context.taken_auditor_ids:
            result[auditor.pk] = Draw(auditor.pk, None, REASON_ALREADY)
    return [result[a.pk] for a in context.auditors]


# --- services ------------------------------------------------------------------------------------
def allocation_propose(
    *, month: datetime.date, today: datetime.date | None = None, now: datetime.datetime | None = None
) -> AllocationRound:
    """Make the month's proposal (or return the one that exists: one round a month)."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    month = month_start(month)
    existing = AllocationRound.objects.filter(month=month).first()
    if existing is not None:
        return existing
    context = draw_context(month=month, today=today)
    draws = draw(context)
    try:
        with transaction.atomic():
            round_ = AllocationRound.objects.create(month=month, proposed_at=now)
            AllocationProposal.objects.bulk_create(
                [
                    AllocationProposal(
                        round=round_, auditor_id=d.auditor_id, case_file_id=d.case_id, reason_none=d.reason_none
                    )
                    for d in draws
                ]
            )
    except IntegrityError:
        # Another worker proposed the same month first: theirs stands.
        return AllocationRound.objects.get(month=month)
    return round_


def _check_proposed(round_: AllocationRound) -> None:
    if round_.status != AllocationRound.Status.PROPOSED:
        raise AllocationError("This allocation has been confirmed: change the audits themselves instead.")


def eligible_for(*, proposal: AllocationProposal, today: datetime.date, limit: int | None = None) -> list[CaseFile]:
    """Eligible files for this auditor that nobody else in the round has, in case reference order."""
    round_ = proposal.round
    context = draw_context(month=round_.month, today=today)
    auditor = next((a for a in context.auditors if a.pk == proposal.auditor_id), None)
    if auditor is None:
        return []
    used = set(
        round_.proposals.exclude(pk=proposal.pk).filter(case_file__isnull=False).values_list("case_file_id", flat=True)
    )
    used_families = (
        set(
            round_.proposals.exclude(pk=proposal.pk)
            .exclude(case_file__family_reference="")
            .filter(case_file__isnull=False)
            .values_list("case_file__family_reference", flat=True)
        )
        | context.blocked_families
    )
    ids = [
        c.pk
        for c in context.candidates
        if c.pk not in used and not (c.family and c.family in used_families) and auditor.may_audit(c)
    ]
    if limit is not None:
        ids = ids[:limit]
    by_pk = CaseFile.objects.select_related("team").in_bulk(ids)
    return [by_pk[pk] for pk in ids]


@transaction.atomic
def proposal_swap(
    *, proposal: AllocationProposal, case_file: CaseFile, actor: Any, reason: str, today: datetime.date | None = None
) -> AllocationProposal:
    """The QA team puts another eligible file in an auditor's line, with a reason."""
    today = today or timezone.localdate()
    proposal = AllocationProposal.objects.select_for_update().select_related("round").get(pk=proposal.pk)
    _check_proposed(proposal.round)
    reason = reason.strip()
    if not reason:
        raise AllocationError("Enter why the case is being swapped.")
    if proposal.excluded:
        raise AllocationError("This auditor is excluded this month: include them again first.")
    if case_file.pk not in {c.pk for c in eligible_for(proposal=proposal, today=today)}:
        raise AllocationError("That case file cannot be allocated to this auditor this month.")
    proposal.case_file = case_file
    proposal.swap_reason = reason
    proposal.reason_none = ""
    proposal._history_user = actor
    proposal.save(update_fields=["case_file", "swap_reason", "reason_none"])
    return proposal


@transaction.atomic
def proposal_exclude(*, proposal: AllocationProposal, actor: Any, reason: str) -> AllocationProposal:
    """Leave an auditor out this month (leave, exemption); their file goes back to the pool."""
    proposal = AllocationProposal.objects.select_for_update().select_related("round").get(pk=proposal.pk)
    _check_proposed(proposal.round)
    reason = reason.strip()
    if not reason:
        raise AllocationError("Enter why this auditor is excluded, for example on leave.")
    if proposal.excluded:
        return proposal
    proposal.excluded = True
    proposal.exclusion_reason = reason
    proposal.case_file = None
    proposal.reason_none = REASON_EXCLUDED
    proposal._history_user = actor
    proposal.save(update_fields=["excluded", "exclusion_reason", "case_file", "reason_none"])
    return proposal


@transaction.atomic
def proposal_include(
    *, proposal: AllocationProposal, actor: Any, today: datetime.date | None = None
) -> AllocationProposal:
    """Undo an exclusion: the first eligible file still free is proposed for them again."""
    today = today or timezone.localdate()
    proposal = AllocationProposal.objects.select_for_update().select_related("round").get(pk=proposal.pk)
    _check_proposed(proposal.round)
    if not proposal.excluded:
        return proposal
    free = eligible_for(proposal=proposal, today=today, limit=1)
    proposal.excluded = False
    proposal.exclusion_reason = ""
    proposal.case_file = free[0] if free else None
    proposal.reason_none = "" if free else REASON_FEWER
    proposal._history_user = actor
    proposal.save(update_fields=["excluded", "exclusion_reason", "case_file", "reason_none"])
    return proposal


def _day_in_month(month: datetime.date, today: datetime.date) -> datetime.date:
    """The allocation's day inside its month (audits belong to the month they are allocated in)."""
    end = months_before(month, -1) - datetime.timedelta(days=1)
    return min(max(today, month), end)


@transaction.atomic
def allocation_confirm(*, round: AllocationRound, actor: Any, today: datetime.date | None = None) -> int:
    """Allocate one monthly audit per proposed line, telling the auditor, the practitioner and
    their TM. Returns how many audits it allocated: 0 when run again, or when another worker got
    there first (the database constraints refuse the second; each insert is in a savepoint)."""
    today = today or timezone.localdate()
    day = _day_in_month(round.month, today)
    due_on = last_working_day_of_month(round.month.year, round.month.month)
    proposals = list(
        AllocationProposal.objects.filter(round=round, excluded=False, case_file__isnull=False)
        .select_related("auditor", "case_file", "case_file__team", "case_file__practitioner")
        .order_by("auditor_id")
    )
    versions: dict[str, Any] = {}
    if before_confirm_inserts is not None:
        before_confirm_inserts()
    created = 0
    managers = team_managers_by_team({p.case_file.team_id for p in proposals}, today=day)
    notices: list[Notice] = []
    for proposal in proposals:
        case = proposal.case_file
        if case.case_type not in versions:
            versions[case.case_type] = tool_version_for_case_type(case.case_type)
        version = versions[case.case_type]
        if version is None:
            continue
        try:
            with transaction.atomic():
                audit_allocate(
                    case_file=case,
                    auditor=proposal.auditor,
                    tool_version=version,
                    due_on=due_on,
                    actor=actor,
                    kind=AuditKind.MONTHLY,
                    today=day,
                    allocation_round=round,
                    team_managers=managers.get(case.team_id, []),
                    notices=(local := []),
                )
        except (IntegrityError, AllocationError):
            continue  # already allocated (a second run or a concurrent worker), or no longer allowed
        notices.extend(local)  # only audits that were really made (their savepoint committed)
        created += 1
    # Auditor, practitioner (with the reflection prompt) and TM, told once each, in bulk.
    notify_many(notices)
    locked = AllocationRound.objects.select_for_update().get(pk=round.pk)
    if locked.status != AllocationRound.Status.CONFIRMED:
        locked.status = AllocationRound.Status.CONFIRMED
        locked.confirmed_at = timezone.now()
        locked.confirmed_by = actor
        locked._history_user = actor
        locked.save(update_fields=["status", "confirmed_at", "confirmed_by"])
    round.status = locked.status
    return created


# --- after confirmation --------------------------------------------------------------------------
@transaction.atomic
def audit_cancel(
    *, audit: Audit, actor: Any, category: str, reason: str, now: datetime.datetime | None = None
) -> Audit:
    """Cancel an audit not yet submitted, with a reason. A cancelled audit is not a missed one."""
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    if audit.status not in OPEN_STATUSES:
        raise AllocationError("Only an audit that has not been submitted can be cancelled.")
    if category not in CancelCategory.values:
        raise AllocationError("Choose why the audit is cancelled.")
    reason = reason.strip()
    if not reason:
        raise AllocationError("Enter why the audit is cancelled.")
    audit.status = AuditStatus.CANCELLED
    audit.cancelled_at = now or timezone.now()
    audit.cancel_category = category
    audit.cancel_reason = reason
    audit.cancelled_by = actor
    audit._history_user = actor
    audit.save(update_fields=["status", "cancelled_at", "cancel_category", "cancel_reason", "cancelled_by"])
    return audit


def auditor_refusal(*, case_file: CaseFile, auditor: Any, today: datetime.date) -> str:
    """Why ``auditor`` may not audit ``case_file`` (empty when they may)."""
    if not DutyAssignment.objects.active_on(today).filter(duty=Duty.AUDITOR, person_id=auditor.pk).exists():
        return f"{auditor} does not hold the auditor duty."
    if auditor.pk in (case_file.practitioner_id, case_file.chair_id):
        return "An auditor cannot audit their own case or a case they chair or review."
    managed = RoleAssignment.objects.active_on(today).filter(
        person_id=auditor.pk, team_id=case_file.team_id, role__in=MANAGING_ROLES
    )
    if managed.exists():
        return "An auditor cannot audit a case in a team they manage directly."
    return ""


@transaction.atomic
def audit_reallocate(
    *,
    audit: Audit,
    new_auditor: Any,
    actor: Any,
    reason: str,
    category: str = CancelCategory.AUDITOR_ABSENT,
    today: datetime.date | None = None,
) -> Audit:
    """Cancel an audit and allocate the same case to another auditor, linking the two."""
    today = today or timezone.localdate()
    if new_auditor.pk == audit.auditor_id:
        raise AllocationError("Choose a different auditor.")
    refusal = auditor_refusal(case_file=audit.case_file, auditor=new_auditor, today=today)
    if refusal:
        raise AllocationError(refusal)
    old = audit_cancel(audit=audit, actor=actor, category=category, reason=reason)
    try:
        with transaction.atomic():
            new = audit_allocate(
                case_file=old.case_file,
                auditor=new_auditor,
                tool_version=old.tool_version,
                due_on=max(old.due_on, today),
                actor=actor,
                kind=old.kind,
                reason=f"Reallocated: {reason.strip()}",
                today=_day_in_month(old.month, today),
            )
    except IntegrityError:
        raise AllocationError(f"{new_auditor} already has a monthly audit that month.") from None
    new.reallocated_from = old
    new.allocation_round_id = old.allocation_round_id
    new.save(update_fields=["reallocated_from", "allocation_round"])
    return new


def qa_team(*, today: datetime.date) -> list[User]:
    ids = RoleAssignment.objects.active_on(today).filter(role__in=QA_ROLES).values("person_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


@transaction.atomic
def audit_declare_conflict(*, audit: Audit, actor: Any, reason: str, today: datetime.date | None = None) -> Audit:
    """The auditor declares a conflict of interest: the audit is cancelled and the QA team asked
    to reallocate it."""
    today = today or timezone.localdate()
    if audit.auditor_id != actor.pk:
        raise AllocationError("Only the auditor can declare a conflict of interest.")
    audit = audit_cancel(audit=audit, actor=actor, category=CancelCategory.CONFLICT, reason=reason)
    url = reverse("audits:audit-reallocate", args=[audit.pk])
    for person in qa_team(today=today):
        notify(
            recipient=person,
            kind="audit-conflict",
            key=f"audit-conflict:{audit.pk}",
            message="An auditor has declared a conflict of interest: an audit needs reallocating",
            url=url,
        )
    return audit


# --- the sweep -----------------------------------------------------------------------------------
def monthly_proposal_sweep(*, today: datetime.date, now: datetime.datetime) -> int:
    """On the allocation day (or later in the month, if missed) propose the month's allocation and
    tell the QA team once. Returns 1 when it made a proposal."""
    if today.day < QASettings.current().allocation_day:
        return 0
    month = month_start(today)
    made = not AllocationRound.objects.filter(month=month).exists()
    round_ = allocation_propose(month=month, today=today, now=now)
    if round_.status == AllocationRound.Status.PROPOSED:
        url = reverse("audits:allocation-round", args=[round_.pk])
        for person in qa_team(today=today):
            notify(
                recipient=person,
                kind="allocation-proposed",
                key=f"allocation-proposed:{month:%Y-%m}",
                message="This month's audit allocation is ready for you to review",
                url=url,
            )
    return int(made)


def register() -> None:
    """Hooks, loaders and sweeps of this part (called once at start-up)."""
    register_sweep("audits-monthly-proposal", "daily", monthly_proposal_sweep)
