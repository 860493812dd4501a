"""The monthly allocation's rules (DESIGN section 4), each on its own, and its idempotency."""

from __future__ import annotations

import datetime
from collections import Counter
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits.models import AllocationProposal, AllocationRound, Audit, AuditStatus, CancelCategory
from audits.services import monthly
from audits.services.allocation import AllocationError
from core.models import Notification, QASettings
from organisation.models import CaseFile, CaseType, Role
from tests.factories import CaseFileFactory, ServiceAreaFactory, TeamFactory, person_with_role

from .factories import allocate, tool_version

MONTH = datetime.date(2026, 11, 1)
TODAY = datetime.date(2026, 11, 2)


@pytest.fixture
def clean(world):
    """The world's case files closed, so each test says exactly which files exist."""
    tool_version(key="social-work-case-file")
    CaseFile.objects.update(closed_on=datetime.date(2025, 1, 1))
    # The world's one auditor (TM of A1) sits out unless a test uses them.
    world.people["team_manager_same"].duties.all().delete()
    return world


def auditor(team=None, role=Role.PRACTITIONER, **kwargs):
    team = team or TeamFactory()
    return person_with_role(role, team=team, duties=("auditor",), **kwargs)


def case(**kwargs):
    return CaseFileFactory(**kwargs)


def propose(month=MONTH, today=TODAY):
    round_ = monthly.allocation_propose(month=month, today=today)
    return {p.auditor_id: p for p in round_.proposals.all()}


def test_never_a_case_in_a_team_the_auditor_manages(clean):
    own_team, other_team = TeamFactory(), TeamFactory()
    tm = auditor(own_team, role=Role.TEAM_MANAGER)
    case(team=own_team)
    lines = propose()
    assert lines[tm.pk].case_file is None
    assert lines[tm.pk].reason_none == monthly.REASON_NO_POOL
    AllocationRound.objects.all().delete()
    other = case(team=other_team)
    assert propose()[tm.pk].case_file == other


def test_never_their_own_case(clean):
    me = auditor()
    case(practitioner=me)
    assert propose()[me.pk].case_file is None


def test_never_a_case_they_chair_or_review(clean):
    chair = person_with_role(Role.CONFERENCE_CHAIR, duties=("auditor",))
    case(chair=chair)
    assert propose()[chair.pk].case_file is None


@pytest.mark.parametrize(
    ("audited_on", "drawn"), [(datetime.date(2026, 6, 10), False), (datetime.date(2026, 4, 10), True)]
)
def test_not_audited_since_the_same_day_six_months_earlier(clean, audited_on, drawn):
    me = auditor()
    file = case()
    allocate(file, auditor(), today=audited_on, version=tool_version(key="other"), kind="ad_hoc")
    assert (propose()[me.pk].case_file == file) is drawn


def test_a_cancelled_audit_does_not_count_as_audited(clean):
    me = auditor()
    file = case()
    earlier = allocate(file, auditor(), today=datetime.date(2026, 9, 3), kind="ad_hoc")
    Audit.objects.filter(pk=earlier.pk).update(status=AuditStatus.CANCELLED)
    assert propose()[me.pk].case_file == file


@pytest.mark.parametrize(
    ("opened_on", "drawn"), [(datetime.date(2026, 10, 2), False), (datetime.date(2026, 10, 1), True)]
)
def test_open_at_least_the_minimum_period(clean, opened_on, drawn):
    me = auditor()
    file = case(opened_on=opened_on)
    assert (propose()[me.pk].case_file == file) is drawn


def test_minimum_period_is_a_qa_setting(clean):
    QASettings.objects.update_or_create(pk=1, defaults={"min_open_months_social_work": 3})
    me = auditor()
    case(opened_on=datetime.date(2026, 9, 1))
    assert propose()[me.pk].case_file is None


def test_closed_and_restricted_files_are_never_drawn(clean):
    me = auditor()
    case(restricted=True)
    case(closed_on=datetime.date(2026, 10, 20))
    assert propose()[me.pk].case_file is None


def test_one_child_per_family(clean):
    first, second = auditor(), auditor()
    case(family_reference="FAM-1")
    case(family_reference="FAM-1")
    lines = propose()
    assert sum(1 for p in lines.values() if p.case_file) == 1
    without = lines[first.pk] if lines[first.pk].case_file is None else lines[second.pk]
    assert without.reason_none == monthly.REASON_FEWER


def test_a_family_audited_this_month_blocks_its_siblings(clean):
    me = auditor()
    sibling = case(family_reference="FAM-2")
    other = case(family_reference="FAM-2")
    allocate(sibling, auditor(), today=TODAY, kind="ad_hoc")
    assert propose()[me.pk].case_file is None
    assert other.pk  # the sibling stays unallocated: the audit covers the family


def test_early_help_files_and_auditors_are_left_to_the_early_help_lead(clean):
    me = auditor()
    eh_team = TeamFactory()
    coordinator = auditor(eh_team, role=Role.EH_COORDINATOR)
    case(case_type=CaseType.EARLY_HELP)
    lines = propose()
    assert lines[me.pk].case_file is None
    assert coordinator.pk not in lines


def test_fewer_files_than_auditors_says_who_got_none_and_why(clean):
    people = [auditor() for _ in range(3)]
    case()
    case()
    lines = propose()
    assert len(lines) == 3
    none = [p for p in lines.values() if p.case_file is None]
    assert len(none) == 1
    assert none[0].reason_none == monthly.REASON_FEWER
    assert {p.auditor_id for p in lines.values()} == {p.pk for p in people}
    out = StringIO()
    call_command("allocate_audits", "--month", "2026-11", stdout=out)
    assert f"No case for {none[0].auditor}: {monthly.REASON_FEWER}" in out.getvalue()


def _big_authority(auditors: int = 40):
    """Three service areas, two case types: 100 + 60 + 40 open files, 60/40 CIN/CP in each."""
    home = TeamFactory()
    people = [auditor(home) for _ in range(auditors)]
    for size in (100, 60, 40):
        team = TeamFactory(service_area=ServiceAreaFactory())
        for i in range(size):
            case(team=team, case_type=CaseType.CHILD_IN_NEED if i % 5 < 3 else CaseType.CHILD_PROTECTION)
    return people


def test_spread_in_proportion_to_the_caseload(clean):
    _big_authority(40)
    lines = propose()
    drawn = Counter((p.case_file.team.service_area_id, p.case_file.case_type) for p in lines.values() if p.case_file)
    assert sum(drawn.values()) == 40
    eligible = Counter((c.team.service_area_id, c.case_type) for c in CaseFile.objects.filter(closed_on__isnull=True))
    total = sum(eligible.values())
    for stratum, size in eligible.items():
        # Tolerance: within one file of the exact proportional share.
        assert abs(drawn[stratum] - 40 * size / total) <= 1, (stratum, drawn[stratum], 40 * size / total)


def test_the_draw_is_the_same_for_the_same_inputs(clean):
    _big_authority(15)
    first = {k: p.case_file_id for k, p in propose().items()}
    AllocationRound.objects.all().delete()
    second = {k: p.case_file_id for k, p in propose().items()}
    assert first == second
    AllocationRound.objects.all().delete()
    other_month = {k: p.case_file_id for k, p in propose(month=datetime.date(2026, 12, 1)).items()}
    assert other_month != first  # seeded from the month


def test_proposing_twice_returns_the_same_round(clean):
    auditor()
    case()
    first = monthly.allocation_propose(month=MONTH, today=TODAY)
    second = monthly.allocation_propose(month=MONTH, today=TODAY)
    assert first.pk == second.pk
    assert AllocationProposal.objects.count() == 1


def test_confirming_twice_allocates_nothing_new(clean, django_capture_on_commit_callbacks):
    for _ in range(3):
        auditor()
        case()
    round_ = monthly.allocation_propose(month=MONTH, today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        assert monthly.allocation_confirm(round=round_, actor=None, today=TODAY) == 3
    assert monthly.allocation_confirm(round=round_, actor=None, today=TODAY) == 0
    audits = Audit.objects.filter(allocation_round=round_)
    assert audits.count() == 3
    assert {a.due_on for a in audits} == {datetime.date(2026, 11, 30)}  # last working day (a Monday)
    round_.refresh_from_db()
    assert round_.status == AllocationRound.Status.CONFIRMED


def test_the_command_proposes_and_confirms_once(clean):
    for _ in range(2):
        auditor()
        case()
    out = StringIO()
    call_command("allocate_audits", "--month", "2026-11", stdout=out)
    assert "Allocated 2 audits for November 2026." in out.getvalue()
    out = StringIO()
    call_command("allocate_audits", "--month", "2026-11", stdout=out)
    assert "Allocated 0 audits for November 2026." in out.getvalue()
    assert Audit.objects.filter(kind="monthly", month=MONTH).count() == 2


def test_dry_run_prints_the_proposal_and_saves_nothing(clean):
    auditor(full_name="Ada Auditor")
    file = case()
    out = StringIO()
    call_command("allocate_audits", "--month", "2026-11", "--dry-run", stdout=out)
    assert f"Ada Auditor: {file.case_reference}" in out.getvalue()
    assert not AllocationRound.objects.exists()
    assert not Audit.objects.exists()


def test_confirmation_tells_auditor_practitioner_and_team_manager(clean, django_capture_on_commit_callbacks):
    world = clean
    me = auditor()
    file = world.case_a
    CaseFile.objects.filter(pk=file.pk).update(closed_on=None, child_initials="ZQ")
    round_ = monthly.allocation_propose(month=MONTH, today=TODAY)
    assert round_.proposals.get().case_file_id == file.pk
    with django_capture_on_commit_callbacks(execute=True):
        monthly.allocation_confirm(round=round_, actor=world.people["qa_officer"], today=TODAY)
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert {me.pk, world.people["practitioner_own"].pk, world.people["team_manager_same"].pk} <= told
    practitioner_note = Notification.objects.get(recipient=world.people["practitioner_own"])
    assert "reflection" in practitioner_note.message
    assert mail.outbox
    for email in mail.outbox:
        assert "ZQ" not in email.body
        assert "ZQ" not in email.subject
        assert "nadequate" not in email.body
        # A link to the audit, or to the family-feedback safety check its allocation asks the TM for.
        assert "/audits/" in email.body or "/feedback/participation/" in email.body


def _confirmed(world, n=2):
    for _ in range(n):
        auditor()
        case()
    round_ = monthly.allocation_propose(month=MONTH, today=TODAY)
    monthly.allocation_confirm(round=round_, actor=world.people["qa_officer"], today=TODAY)
    return list(Audit.objects.filter(allocation_round=round_).order_by("pk"))


def test_cancel_with_a_reason(clean):
    audit = _confirmed(clean, 1)[0]
    qa = clean.people["qa_officer"]
    monthly.audit_cancel(audit=audit, actor=qa, category=CancelCategory.CHILD_MOVED, reason="Moved to another LA")
    audit.refresh_from_db()
    assert audit.status == AuditStatus.CANCELLED
    assert audit.cancelled_by == qa
    assert audit.history.first().history_user == qa
    with pytest.raises(AllocationError):
        monthly.audit_cancel(audit=audit, actor=qa, category=CancelCategory.OTHER, reason="again")
    # A cancelled audit frees the month: the auditor could be given another.
    assert not Audit.objects.filter(auditor=audit.auditor, month=MONTH).exclude(status="cancelled").exists()


def test_reallocate_links_the_new_audit_to_the_old(clean):
    audit = _confirmed(clean, 1)[0]
    newcomer = auditor()
    new = monthly.audit_reallocate(
        audit=audit, new_auditor=newcomer, actor=clean.people["qa_officer"], reason="Auditor on leave", today=TODAY
    )
    audit.refresh_from_db()
    assert audit.status == AuditStatus.CANCELLED
    assert audit.cancel_category == CancelCategory.AUDITOR_ABSENT
    assert new.auditor == newcomer
    assert new.reallocated_from == audit
    assert new.case_file == audit.case_file
    assert new.month == MONTH
    assert new.allocation_round_id == audit.allocation_round_id


def test_reallocate_refuses_an_auditor_who_works_the_case(clean):
    audit = _confirmed(clean, 1)[0]
    worker = auditor()
    CaseFile.objects.filter(pk=audit.case_file_id).update(practitioner=worker)
    audit.case_file.refresh_from_db()
    with pytest.raises(AllocationError):
        monthly.audit_reallocate(audit=audit, new_auditor=worker, actor=None, reason="x", today=TODAY)
    audit.refresh_from_db()
    assert audit.status == AuditStatus.ALLOCATED


def test_the_auditor_declares_a_conflict_and_the_qa_team_is_told(clean):
    audit = _confirmed(clean, 1)[0]
    with pytest.raises(AllocationError):
        monthly.audit_declare_conflict(audit=audit, actor=clean.people["qa_officer"], reason="x", today=TODAY)
    monthly.audit_declare_conflict(audit=audit, actor=audit.auditor, reason="I know the family", today=TODAY)
    audit.refresh_from_db()
    assert audit.status == AuditStatus.CANCELLED
    assert audit.cancel_category == CancelCategory.CONFLICT
    told = set(Notification.objects.filter(kind="audit-conflict").values_list("recipient_id", flat=True))
    assert told == {clean.people["qa_officer"].pk, clean.people["qa_manager"].pk}


def test_swap_and_exclude_on_the_proposal(clean):
    me = auditor()
    first, second = case(), case()
    round_ = monthly.allocation_propose(month=MONTH, today=TODAY)
    line = round_.proposals.get(auditor=me)
    other = second if line.case_file == first else first
    qa = clean.people["qa_officer"]
    with pytest.raises(AllocationError):
        monthly.proposal_swap(proposal=line, case_file=clean.case_b, actor=qa, reason="closed", today=TODAY)
    monthly.proposal_swap(proposal=line, case_file=other, actor=qa, reason="Better fit", today=TODAY)
    line.refresh_from_db()
    assert line.case_file == other
    assert line.swap_reason == "Better fit"
    monthly.proposal_exclude(proposal=line, actor=qa, reason="On leave")
    line.refresh_from_db()
    assert line.excluded
    assert line.case_file is None
    assert monthly.allocation_confirm(round=round_, actor=qa, today=TODAY) == 0


def test_exclusion_can_be_undone_before_confirmation(clean):
    me = auditor()
    case()
    round_ = monthly.allocation_propose(month=MONTH, today=TODAY)
    line = round_.proposals.get(auditor=me)
    monthly.proposal_exclude(proposal=line, actor=None, reason="On leave")
    monthly.proposal_include(proposal=line, actor=None, today=TODAY)
    line.refresh_from_db()
    assert not line.excluded
    assert line.case_file is not None


def test_the_sweep_proposes_on_the_allocation_day_and_tells_the_qa_team_once(clean):
    QASettings.objects.update_or_create(pk=1, defaults={"allocation_day": 3})
    auditor()
    case()
    now = datetime.datetime(2026, 11, 2, 6, tzinfo=datetime.UTC)
    assert monthly.monthly_proposal_sweep(today=datetime.date(2026, 11, 2), now=now) == 0
    assert not AllocationRound.objects.exists()
    assert monthly.monthly_proposal_sweep(today=datetime.date(2026, 11, 3), now=now) == 1
    assert monthly.monthly_proposal_sweep(today=datetime.date(2026, 11, 4), now=now) == 0
    notes = Notification.objects.filter(kind="allocation-proposed")
    assert notes.count() == 2  # the QA officer and the QA manager, once each
    assert notes.first().message == "This month's audit allocation is ready for you to review"


@pytest.mark.parametrize("n", [5])
def test_the_proposal_queries_do_not_grow_with_auditors(clean, n):
    def count(people: int) -> int:
        AllocationRound.objects.all().delete()
        while CaseFile.objects.filter(closed_on__isnull=True).count() < people * 2:
            case()
        from organisation.models import DutyAssignment

        while DutyAssignment.objects.filter(duty="auditor").count() < people:
            auditor()
        with CaptureQueriesContext(connection) as ctx:
            monthly.allocation_propose(month=MONTH, today=TODAY)
        return len(ctx.captured_queries)

    QASettings.current()  # made once, not per proposal
    few = count(n)
    many = count(5 * n)
    # settings, auditors, roles, recent audits, files, the round (+ savepoint), the proposals.
    assert few == many
