"""Demo data for thematic, ad-hoc and multi-agency audits and early help audits (synthetic only).

Idempotent and deterministic: everything is keyed on natural keys (the plan's year, the audits'
titles) and drawn with ``random.Random(f"demo-programme:{size}:{today}")`` over ordered lists.
"""

from __future__ import annotations

import contextlib
import datetime
import random

from django.db import transaction

from core.workdays import last_working_day_of_month
from organisation.models import CaseFile, CaseType, Role, RoleAssignment, User

from .models import Audit, AuditKind, AuditPlanItem, AuditPlanReview, ProgrammeAudit
from .services import programme as services
from .services.allocation import auditors_on
from .services.early_help import early_help_allocate, early_help_auditors, early_help_candidates, manages_team
from .services.sampling import SamplingError, sample_draw
from .services.tools import tool_version_current

THEMES = [
    ("Neglect: children on a plan for over 12 months", "Children on a protection plan for neglect over 12 months"),
    ("Voice of the child", "Children in care aged 8 to 15"),
    ("Pre-birth assessments", "Unborn babies with a pre-birth assessment"),
    ("Exploitation", "Teenagers with an exploitation screening"),
    ("Step-down to early help", "Children stepped down in the last six months"),
    ("Care leavers' pathway plans", "Care leavers aged 18 to 21"),
]
THEMATIC_TITLE = "Neglect: children on a plan for over 12 months"
MULTI_TITLE = "Domestic abuse: joint multi-agency audit"


def _first_person(role: str, today: datetime.date) -> User | None:
    a = (
        RoleAssignment.objects.active_on(today)
        .filter(role=role, person__is_active=True)
        .select_related("person")
        .order_by("person__email")
        .first()
    )
    return a.person if a else None


def _scope_for_lead(today: datetime.date):  # noqa: ANN202 - a Scope
    from organisation.scope import scope_for

    lead = _first_person(Role.EH_STRATEGIC_LEAD, today)
    return lead, (scope_for(lead, today=today) if lead else None)


@transaction.atomic
def seed_programme(*, size: str, today: datetime.date) -> str:
    rng = random.Random(f"demo-programme:{size}:{today.isoformat()}")
    qa = _first_person(Role.QA_MANAGER, today) or _first_person(Role.QA_OFFICER, today)
    if qa is None:
        return "Programme: no QA team in the demo, nothing seeded"
    year = services.plan_year_for(today)
    plan = services.plan_get_or_create(year_starting=year, actor=qa)
    count = rng.randint(4, 6)
    if not plan.items.exists():
        for i, (theme, scope) in enumerate(THEMES[:count]):
            index = year * 12 + 3 + i * 2
            month = datetime.date(index // 12, index % 12 + 1, 1)
            status = (
                AuditPlanItem.Status.COMPLETE
                if month < today.replace(day=1)
                else AuditPlanItem.Status.IN_PROGRESS
                if month == today.replace(day=1)
                else AuditPlanItem.Status.PLANNED
            )
            services.plan_item_add(plan=plan, theme=theme, month=month, lead=qa, scope=scope, status=status, actor=qa)
    if not plan.reviews.filter(body=AuditPlanReview.Body.QA_TEAM).exists():
        services.plan_review_record(
            plan=plan,
            body=AuditPlanReview.Body.QA_TEAM,
            reviewed_on=datetime.date(year, 4, 1) if datetime.date(year, 4, 1) <= today else today,
            notes="Plan agreed; themes drawn from last year's audit findings.",
            actor=qa,
        )

    version = tool_version_current(tool_key="social-work-case-file")
    made_audits = 0
    thematic = ProgrammeAudit.objects.filter(title=THEMATIC_TITLE).first()
    if thematic is None and version is not None:
        thematic = services.programme_create(
            kind=ProgrammeAudit.Kind.THEMATIC,
            title=THEMATIC_TITLE,
            tool_version=version,
            criteria={"case_types": [CaseType.CHILD_PROTECTION], "open_state": "any"},
            sample_size=6,
            due_on=last_working_day_of_month(today.year, today.month),
            plan_item=plan.items.order_by("month").first(),
            actor=qa,
        )
        with contextlib.suppress(SamplingError):  # a tiny demo may have no such files
            sample_draw(programme=thematic, today=today, actor=qa)
        auditors = list(auditors_on(today))
        chosen = sorted(rng.sample(auditors, min(3, len(auditors))), key=lambda u: (u.full_name, u.pk))
        if chosen:
            services.programme_set_auditors(programme=thematic, auditors=chosen, actor=qa)
            try:
                made = services.programme_allocate(programme=thematic, actor=qa, today=today)
            except services.ProgrammeError:
                made = []
            made_audits = len(made)
        services.programme_action_add(
            programme=thematic,
            description="Share the emerging findings at the next practice week",
            owner=qa,
            due_on=last_working_day_of_month(today.year, today.month),
            actor=qa,
        )

    # An ad-hoc audit opened for a child.
    adhoc = ProgrammeAudit.objects.filter(kind=ProgrammeAudit.Kind.AD_HOC, reason=ProgrammeAudit.Reason.CHILD).first()
    if adhoc is None:
        case = CaseFile.objects.filter(closed_on__isnull=True, restricted=False).order_by("case_reference").first()
        if case is not None:
            services.programme_open_for_child(
                case_file=case,
                reason_detail="Raised by the independent reviewing officer after a review",
                tool_version=version,
                actor=qa,
            )

    # A multi-agency audit with two partner sections (the demo partner contributor has one).
    multi = ProgrammeAudit.objects.filter(title=MULTI_TITLE).first()
    if multi is None:
        multi = services.programme_create(
            kind=ProgrammeAudit.Kind.MULTI_AGENCY,
            title=MULTI_TITLE,
            reason=ProgrammeAudit.Reason.OTHER,
            reason_detail="Agreed by the safeguarding partnership",
            actor=qa,
        )
        partners = list(services.partner_contributors(today=today))
        if partners:
            services.partner_section_add(
                programme=multi,
                partner=partners[0],
                agency="Police",
                title="Police involvement",
                prompt="What did the police know about the family, and what did they do?",
                actor=qa,
            )
            services.partner_section_add(
                programme=multi,
                partner=partners[1] if len(partners) > 1 else partners[0],
                agency="Health",
                title="Health visiting and school nursing",
                prompt="What did health services know, and how was it shared?",
                actor=qa,
            )

    # Early help audits chosen by the strategic lead.
    eh_count = 0
    lead, lead_scope = _scope_for_lead(today)
    month = today.replace(day=1)
    if (
        lead is not None
        and not Audit.objects.filter(kind=AuditKind.EARLY_HELP, month=month, allocated_by=lead).exists()
    ):
        auditors = list(early_help_auditors(today=today))
        candidates = list(early_help_candidates(today=today)[:40])
        if auditors and candidates and tool_version_current(tool_key="early-help") is not None:
            picks = sorted(rng.sample(candidates, min(len(candidates), 2 * len(auditors[:3]))), key=lambda c: c.pk)
            for i, auditor in enumerate(auditors[:3]):
                files = [
                    c
                    for c in picks[i * 2 : i * 2 + 2]
                    if c.practitioner_id != auditor.pk and not manages_team(auditor, c.team_id, today=today)
                ]
                if files:
                    eh_count += len(
                        early_help_allocate(
                            case_files=files, auditor=auditor, actor_scope=lead_scope, actor=lead, today=today
                        )
                    )
    return (
        f"Programme: plan {plan} with {plan.items.count()} items, thematic audit with {made_audits} audits, "
        f"ad-hoc and multi-agency audits, {eh_count} early help audits"
    )
