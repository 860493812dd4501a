"""seed_demo: the synthetic demo authority, and the demo sign-ins."""

import datetime
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.test import Client
from django.urls import reverse

from audits import models as audit_models
from boards import models as board_models
from clinics import models as clinic_models
from core.models import ImportBatch
from feedback import models as feedback_models
from observations import models as observation_models
from organisation.demo import DEMO_PASSWORD, DEMO_SIGN_INS, demo_sign_ins_markdown
from organisation.models import (
    AREA_ROLES,
    TEAM_ROLES,
    CaseFile,
    CaseType,
    DutyAssignment,
    Role,
    RoleAssignment,
    ServiceArea,
    Team,
    User,
)
from organisation.scope import scope_for
from performance import models as performance_models

TODAY = datetime.date(2026, 3, 2)
README = Path(__file__).resolve().parents[2] / "README.md"


def seed(size: str = "tiny", today: datetime.date = TODAY) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--size", size, "--today", today.isoformat(), stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list[tuple]]:
    """Everything the demo is, by natural keys (never database ids), sorted."""
    return {
        "areas": sorted(ServiceArea.objects.values_list("code", "name")),
        "teams": sorted(Team.objects.values_list("code", "name", "service_area__code")),
        "people": sorted(User.objects.values_list("email", "full_name", "job_title", "is_staff", "is_superuser")),
        "roles": sorted(
            RoleAssignment.objects.values_list(
                "person__email", "role", "team__code", "service_area__code", "starts_on", "ends_on", "note"
            ),
            key=repr,
        ),
        "duties": sorted(DutyAssignment.objects.values_list("person__email", "duty", "starts_on", "ends_on"), key=repr),
        "cases": sorted(
            CaseFile.objects.values_list(
                "case_reference",
                "child_initials",
                "birth_year",
                "unborn",
                "case_type",
                "legal_status",
                "team__code",
                "practitioner__email",
                "chair__email",
                "family_reference",
                "restricted",
                "opened_on",
                "closed_on",
            ),
            key=repr,
        ),
    }


def demo_user(role: Role) -> User:
    return User.objects.get(email=dict(DEMO_SIGN_INS)[role])


def test_tiny_demo_gives_every_role_people_with_fitting_assignments_and_duties(db):
    output = seed()

    assert "Demo authority built" in output
    active = RoleAssignment.objects.active_on(TODAY)
    for role in Role:
        held = active.filter(role=role)
        assert held.exists(), f"nobody holds {role.label}"
        for assignment in held:
            place = ("team" if assignment.team_id else "") + ("area" if assignment.service_area_id else "")
            expected = "team" if role in TEAM_ROLES else "area" if role in AREA_ROLES else ""
            assert place == expected, assignment
    assert ServiceArea.objects.count() == 2
    assert 3 <= Team.objects.count() <= 4
    assert 20 <= User.objects.count() <= 35
    assert 50 <= CaseFile.objects.count() <= 70
    duties = {(d.person.email, d.duty) for d in DutyAssignment.objects.active_on(TODAY).select_related("person")}
    assert (dict(DEMO_SIGN_INS)[Role.TEAM_MANAGER], "auditor") in duties
    assert (dict(DEMO_SIGN_INS)[Role.CONFERENCE_CHAIR], "auditor") in duties
    assert (dict(DEMO_SIGN_INS)[Role.QA_OFFICER], "moderator") in duties
    assert (dict(DEMO_SIGN_INS)[Role.PSW], "practice_lead") in duties
    acting = RoleAssignment.objects.filter(
        role=Role.TEAM_MANAGER, ends_on__gt=TODAY, person__role_assignments__role=Role.PRACTITIONER
    )
    assert acting.exists(), "someone should be acting up as a team manager, with an end date"
    admin = demo_user(Role.ADMINISTRATOR)
    assert admin.is_staff
    assert admin.is_superuser
    assert not User.objects.filter(is_superuser=True).exclude(pk=admin.pk).exists()


def test_every_demo_account_signs_in_through_the_real_form_with_the_demo_password(db):
    seed()
    for role, email in DEMO_SIGN_INS:
        client = Client()
        response = client.post(reverse("sign-in"), {"username": email, "password": DEMO_PASSWORD}, follow=True)
        assert response.redirect_chain, f"{email} could not sign in"
        assert response.redirect_chain[-1][0] == reverse("home"), email
        assert role.label in response.content.decode(), f"{email}'s page does not show the {role.label} role"


def test_demo_accounts_have_something_real_to_look_at(db):
    seed()

    def visible(role: Role) -> int:
        return scope_for(demo_user(role), today=TODAY).case_files().filter(closed_on__isnull=True).count()

    practitioner = demo_user(Role.PRACTITIONER)
    assert CaseFile.objects.filter(practitioner=practitioner, closed_on__isnull=True).count() >= 5
    team_manager_scope = scope_for(demo_user(Role.TEAM_MANAGER), today=TODAY)
    assert team_manager_scope.managed_team_ids
    # The demo practitioner works in the demo team manager's team.
    assert CaseFile.objects.filter(practitioner=practitioner, team_id__in=team_manager_scope.managed_team_ids).exists()
    for role in (
        Role.TEAM_MANAGER,
        Role.SERVICE_MANAGER,
        Role.HEAD_OF_SERVICE,
        Role.EH_COORDINATOR,
        Role.EH_STRATEGIC_LEAD,
        Role.QA_MANAGER,
    ):
        assert visible(role) > 0, f"the demo {role.label} sees no open case files"
    chaired = CaseFile.objects.filter(chair=demo_user(Role.CONFERENCE_CHAIR), closed_on__isnull=True)
    assert chaired.count() >= 3
    assert set(chaired.values_list("case_type", flat=True)) == {CaseType.CHILD_PROTECTION}
    reviewed = CaseFile.objects.filter(chair=demo_user(Role.IRO), closed_on__isnull=True)
    assert reviewed.count() >= 3
    assert set(reviewed.values_list("case_type", flat=True)) == {CaseType.CHILD_IN_CARE}


# Everything the demo's audit programme adds, in an order that deletes without protection errors:
# the voices of families and others and the observations first (they point at audits and case files).
PROGRAMME_MODELS = [
    *(
        getattr(clinic_models, name)
        for name in (
            "MeetingPaper",
            "MeetingAttachment",
            "MeetingAttendee",
            "MeetingAction",
            "Meeting",
            "ReportFile",
            "ReportBatch",
            "ReportVersion",
            "HighlightReport",
        )
    ),
    *(getattr(board_models, name) for name in ("LearningSummary", "ReflectiveDiscussion")),
    *(
        getattr(performance_models, name)
        for name in (
            "Signal",
            "Baseline",
            "Estimate",
            "AnnexAEvent",
            "AnnexASnapshot",
            "AnnexAUpload",
            "FigureOfRecord",
            "Benchmark",
            "Population",
        )
    ),
    ImportBatch,
    *(
        getattr(feedback_models, name)
        for name in (
            "TriageItem",
            "SecureLink",
            "Response",
            "ContactAttempt",
            "ParticipationTask",
            "ReviewingOfficerAlert",
            "VoiceEntry",
        )
    ),
    *(
        getattr(observation_models, name)
        for name in ("ObservationPractitioner", "Observation", "PracticeWeekActivity", "PracticeWeek")
    ),
] + [
    getattr(audit_models, name)
    for name in (
        "CalibrationResponse",
        "CalibrationExercise",
        "AuditorTraining",
        "ElementModeration",
        "Moderation",
        "ActionReviewItem",
        "ActionReview",
        "ChildOfConcern",
        "DipSampleItem",
        "DipSample",
        "DipSampleRound",
        "PartnerSection",
        "ProgrammeAction",
        "ImmediateConcern",
        "Action",
        "ElementAnswer",
        "Audit",
        "ProgrammeAudit",
        "AuditPlanReview",
        "AuditPlanItem",
        "AuditPlan",
        "AllocationProposal",
        "AllocationRound",
    )
]


def test_same_size_and_date_build_the_same_authority(db):
    seed()
    first = snapshot()
    for model in PROGRAMME_MODELS:
        model.objects.all().delete()
    CaseFile.objects.all().delete()
    User.objects.all().delete()  # role assignments and duties go with them
    Team.objects.all().delete()
    ServiceArea.objects.all().delete()

    seed()

    assert snapshot() == first
    assert first["cases"][0][0] == "NM0000001"


def test_dates_are_relative_to_the_demo_date(db):
    seed(today=datetime.date(2031, 6, 16))
    assert not CaseFile.objects.filter(opened_on__gt=datetime.date(2031, 6, 16)).exists()
    assert not CaseFile.objects.filter(closed_on__gt=datetime.date(2031, 6, 16)).exists()
    assert CaseFile.objects.filter(opened_on__year__gte=2030).exists()
    unborn = CaseFile.objects.filter(unborn=True)
    assert unborn.exists()
    assert all(case.birth_year >= 2031 and case.is_open for case in unborn)


def test_running_it_twice_adds_nothing_and_says_so(db):
    seed()
    counts = snapshot()

    output = seed()

    assert snapshot() == counts
    assert "already present" in output
    assert "nothing added" in output


def test_a_later_run_for_another_date_keeps_the_one_demo_authority(db):
    # `make demo` on another day reuses the database: a second set of staff would double the demo.
    seed()
    before = snapshot()

    output = seed(today=TODAY + datetime.timedelta(days=1))

    assert snapshot() == before
    assert "another size or date is already present" in output


def test_seeded_case_files_start_their_audit_trail(db):
    seed()
    assert CaseFile.history.count() == CaseFile.objects.count()


@pytest.mark.timeout(600)
def test_demo_size_has_the_stated_shape(db):
    seed("demo")

    areas = set(ServiceArea.objects.values_list("name", flat=True))
    assert {
        "Early Help",
        "Front Door / MASH",
        "Family Safeguarding (CIN/CP)",
        "Children in Care",
        "Care Leavers",
        "Children with Disabilities",
    } <= areas
    assert Team.objects.count() >= 12
    assert not Team.objects.filter(code="").exists()
    assert 120 <= User.objects.count() <= 200
    assert 2700 <= CaseFile.objects.count() <= 3300
    for role in Role:
        assert RoleAssignment.objects.active_on(TODAY).filter(role=role).exists(), role.label
    by_type = dict(CaseFile.objects.values_list("case_type").annotate(n=Count("pk")))
    assert set(by_type) == set(CaseType.values)
    assert all(n >= 100 for n in by_type.values()), by_type
    # Early help work is only in early help teams, and early help teams hold nothing else.
    eh = Q(team__service_area__code="early-help")
    assert not CaseFile.objects.filter(case_type=CaseType.EARLY_HELP).exclude(eh).exists()
    assert not CaseFile.objects.filter(eh).exclude(case_type=CaseType.EARLY_HELP).exists()
    assert (
        not CaseFile.objects.filter(case_type=CaseType.CARE_LEAVER)
        .exclude(team__service_area__code="care-leavers")
        .exists()
    )
    open_cases = CaseFile.objects.filter(closed_on__isnull=True)
    assert 0.3 < open_cases.count() / CaseFile.objects.count() < 0.7
    assert open_cases.filter(practitioner__isnull=True).count() >= 10
    assert CaseFile.objects.filter(restricted=True).count() >= 5
    assert CaseFile.objects.filter(unborn=True).exists()
    siblings = CaseFile.objects.values("family_reference").annotate(n=Count("pk")).filter(n__gt=1)
    assert siblings.count() >= 100
    assert not CaseFile.objects.filter(
        case_type=CaseType.CHILD_PROTECTION, closed_on__isnull=True, chair__isnull=True
    ).exists()
    assert not CaseFile.objects.filter(case_type=CaseType.CHILD_IN_CARE, chair__isnull=True).exists()
    assert (
        RoleAssignment.objects.filter(role=Role.HEAD_OF_SERVICE)
        .values("person")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .exists()
    )
    assert RoleAssignment.objects.filter(ends_on__isnull=False).count() >= 2


def test_demo_sign_ins_prints_one_row_per_role_in_design_order(db):
    out = io.StringIO()
    call_command("demo_sign_ins", stdout=out)
    rows = [line for line in out.getvalue().splitlines() if line.startswith("| ") and "---" not in line]

    assert rows[0] == "| Role | Email | Password |"
    assert [row.split(" | ")[0].lstrip("| ") for row in rows[1:]] == [role.label for role in Role]
    assert rows[1] == f"| Practitioner | practitioner@northmere.example | {DEMO_PASSWORD} |"
    assert all(re.search(r"@northmere\.example \|", row) for row in rows[1:])


def test_the_readme_shows_the_same_sign_in_table():
    assert demo_sign_ins_markdown() in README.read_text()
