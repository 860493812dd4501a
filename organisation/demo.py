"""The synthetic demo authority: fictional service areas, teams, people and case files.

Demos, tests and benchmarks use generated people and places only (DESIGN section 10); no real
child's data ever enters the repository. The authority is planned in memory first, from a random
generator seeded by the size and the date (``random.Random(f"demo:{size}:{today}")``) drawing
over ordered lists, so the same size and date always build the same authority; then whatever is
not in the database yet is inserted, found by natural key (service area and team codes, email
addresses, case references). Running the seeder again therefore adds nothing, and role
assignments and duties are only given to people created by this run.

Names come from the small invented word lists below rather than Faker, so ``seed_demo`` needs
only the runtime requirements.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from .models import CaseFile, CaseType, Duty, DutyAssignment, Role, RoleAssignment, ServiceArea, Team, User

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - the synthetic demo's published password
DEMO_DOMAIN = "northmere.example"
SIZES = ("tiny", "demo", "large")
BATCH_SIZE = 1000
HISTORY_REASON = "Synthetic demo data (seed_demo)"

# One well-known sign-in per role of DESIGN section 1, in its order. The seeder gives each of
# these people data to look at; ``demo_sign_ins`` and the README print this same table.
DEMO_SIGN_INS: tuple[tuple[Role, str], ...] = (
    (Role.PRACTITIONER, f"practitioner@{DEMO_DOMAIN}"),
    (Role.TEAM_MANAGER, f"team.manager@{DEMO_DOMAIN}"),
    (Role.SERVICE_MANAGER, f"service.manager@{DEMO_DOMAIN}"),
    (Role.HEAD_OF_SERVICE, f"head.of.service@{DEMO_DOMAIN}"),
    (Role.ASSISTANT_DIRECTOR, f"assistant.director@{DEMO_DOMAIN}"),
    (Role.DIRECTOR, f"director@{DEMO_DOMAIN}"),
    (Role.CONFERENCE_CHAIR, f"conference.chair@{DEMO_DOMAIN}"),
    (Role.IRO, f"iro@{DEMO_DOMAIN}"),
    (Role.QA_OFFICER, f"qa.officer@{DEMO_DOMAIN}"),
    (Role.QA_MANAGER, f"qa.manager@{DEMO_DOMAIN}"),
    (Role.PARTICIPATION_OFFICER, f"participation.officer@{DEMO_DOMAIN}"),
    (Role.PSW, f"psw@{DEMO_DOMAIN}"),
    (Role.BI_OFFICER, f"bi.officer@{DEMO_DOMAIN}"),
    (Role.EH_COORDINATOR, f"early.help.coordinator@{DEMO_DOMAIN}"),
    (Role.EH_STRATEGIC_LEAD, f"early.help.lead@{DEMO_DOMAIN}"),
    (Role.PARTNER_CONTRIBUTOR, f"partner@{DEMO_DOMAIN}"),
    (Role.ADMINISTRATOR, f"admin@{DEMO_DOMAIN}"),
)
DEMO_EMAIL: dict[str, str] = dict(DEMO_SIGN_INS)


def demo_sign_ins_markdown() -> str:
    """The sign-in table printed by ``demo_sign_ins`` and kept in the README."""
    lines = ["| Role | Email | Password |", "| --- | --- | --- |"]
    lines += [f"| {role.label} | {email} | {DEMO_PASSWORD} |" for role, email in DEMO_SIGN_INS]
    return "\n".join(lines)


# --- invented names ------------------------------------------------------------------------------
FIRST_NAMES = (
    "Aisha", "Alfie", "Amara", "Ben", "Bethan", "Callum", "Chloe", "Daniel", "Deepa", "Eleanor",
    "Elliot", "Fatima", "Finn", "Grace", "Hamza", "Hannah", "Isla", "Jack", "Jasmine", "Kieran",
    "Leah", "Liam", "Maya", "Mohammed", "Niamh", "Noah", "Olivia", "Owen", "Priya", "Rhys",
    "Rosa", "Ryan", "Sana", "Sophie", "Tariq", "Thea", "Tom", "Uma", "Victor", "Wren",
    "Yusuf", "Zara", "Adele", "Bilal", "Carys", "Dominic", "Esther", "Femi", "Georgia", "Harvey",
)  # fmt: skip
SURNAME_STARTS = (
    "Ash", "Bram", "Cal", "Dun", "Elm", "Fen", "Gar", "Hal", "Ingle", "Kel",
    "Lind", "Mar", "Nor", "Oak", "Pen", "Quill", "Ros", "Stan", "Thorn", "Wend",
)  # fmt: skip
SURNAME_ENDS = (
    "by", "croft", "dene", "field", "ford", "hallow", "hurst", "ley", "mere", "ridge",
    "stow", "ton", "well", "wick", "worth",
)  # fmt: skip
INITIAL_LETTERS = "ABCDEFGHJKLMNPRSTWY"


# --- the shape of the authority ------------------------------------------------------------------
@dataclass(frozen=True)
class AreaSpec:
    code: str
    name: str
    team_code: str
    team_name: str
    case_mix: tuple[tuple[str, int], ...]
    open_share: float
    # Days a case stays open: (shortest, longest).
    duration: tuple[int, int]


AREAS = (
    AreaSpec("early-help", "Early Help", "eh", "Early Help", ((CaseType.EARLY_HELP, 1),), 0.40, (14, 540)),
    AreaSpec(
        "front-door",
        "Front Door / MASH",
        "fd",
        "Assessment",
        ((CaseType.CHILD_IN_NEED, 9), (CaseType.CHILD_PROTECTION, 1)),
        0.25,
        (1, 63),
    ),
    AreaSpec(
        "family-safeguarding",
        "Family Safeguarding (CIN/CP)",
        "fs",
        "Family Safeguarding",
        ((CaseType.CHILD_IN_NEED, 11), (CaseType.CHILD_PROTECTION, 9)),
        0.45,
        (30, 900),
    ),
    AreaSpec(
        "children-in-care",
        "Children in Care",
        "cic",
        "Children in Care",
        ((CaseType.CHILD_IN_CARE, 1),),
        0.6,
        (60, 3650),
    ),
    AreaSpec("care-leavers", "Care Leavers", "cl", "Leaving Care", ((CaseType.CARE_LEAVER, 1),), 0.6, (30, 2200)),
    AreaSpec(
        "disabilities",
        "Children with Disabilities",
        "cwd",
        "Disabled Children's",
        ((CaseType.CHILD_IN_NEED, 6), (CaseType.CHILD_PROTECTION, 1), (CaseType.CHILD_IN_CARE, 3)),
        0.55,
        (60, 3000),
    ),
)
AREA_BY_CODE = {area.code: area for area in AREAS}
LOCALITIES = ("North", "South", "Central", "East", "West")


@dataclass(frozen=True)
class SizeSpec:
    teams: dict[str, int]  # area code -> number of teams, in AREAS order
    practitioners_per_team: int
    case_files: int
    heads_of_service: int
    assistant_directors: int
    directors: int
    conference_chairs: int
    iros: int
    qa_officers: int
    qa_managers: int
    participation_officers: int
    bi_officers: int
    partners: int
    administrators: int
    acting_up: int
    # A small authority's Family Safeguarding teams keep children in care too (tiny has no
    # Children in Care area, and the IRO needs someone to review).
    mix_overrides: dict[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)


SIZE_SPECS = {
    "tiny": SizeSpec(
        teams={"early-help": 1, "family-safeguarding": 2},
        practitioners_per_team=3,
        case_files=60,
        heads_of_service=1,
        assistant_directors=1,
        directors=1,
        conference_chairs=1,
        iros=1,
        qa_officers=1,
        qa_managers=1,
        participation_officers=1,
        bi_officers=1,
        partners=1,
        administrators=1,
        acting_up=1,
        mix_overrides={
            "family-safeguarding": (
                (CaseType.CHILD_IN_NEED, 9),
                (CaseType.CHILD_PROTECTION, 7),
                (CaseType.CHILD_IN_CARE, 4),
            )
        },
    ),
    "demo": SizeSpec(
        teams={
            "early-help": 3,
            "front-door": 2,
            "family-safeguarding": 3,
            "children-in-care": 2,
            "care-leavers": 2,
            "disabilities": 1,
        },
        practitioners_per_team=8,
        case_files=3000,
        heads_of_service=3,
        assistant_directors=2,
        directors=2,
        conference_chairs=4,
        iros=6,
        qa_officers=3,
        qa_managers=1,
        participation_officers=2,
        bi_officers=2,
        partners=3,
        administrators=1,
        acting_up=2,
    ),
    "large": SizeSpec(
        teams={
            "early-help": 12,
            "front-door": 8,
            "family-safeguarding": 20,
            "children-in-care": 14,
            "care-leavers": 8,
            "disabilities": 6,
        },
        practitioners_per_team=12,
        case_files=60000,
        heads_of_service=3,
        assistant_directors=3,
        directors=2,
        conference_chairs=20,
        iros=40,
        qa_officers=10,
        qa_managers=2,
        participation_officers=6,
        bi_officers=6,
        partners=15,
        administrators=3,
        acting_up=10,
    ),
}

# Where each role's demo sign-in works, so that person has something real to look at: the
# practitioner, TM, SM and HoS all sit above the same Family Safeguarding cases, which the demo
# conference chair chairs.
DEMO_HOME_AREA = "family-safeguarding"
DEMO_EH_AREA = "early-help"

LEGAL_STATUSES: dict[str, tuple[tuple[str, int], ...]] = {
    CaseType.EARLY_HELP: (("Early help assessment", 3), ("Team around the family", 2)),
    CaseType.CHILD_IN_NEED: (("Child in need (section 17)", 5), ("Child and family assessment", 2)),
    CaseType.CHILD_PROTECTION: (
        ("Child protection plan: neglect", 5),
        ("Child protection plan: emotional abuse", 4),
        ("Child protection plan: physical abuse", 2),
        ("Child protection plan: sexual abuse", 1),
        ("Child protection plan: multiple categories", 1),
    ),
    CaseType.CHILD_IN_CARE: (
        ("Accommodated (section 20)", 3),
        ("Interim care order (section 38)", 2),
        ("Care order (section 31)", 6),
        ("Placement order", 1),
    ),
    CaseType.CARE_LEAVER: (("Former relevant", 6), ("Relevant", 2), ("Qualifying", 1)),
}
JOB_TITLES: dict[str, tuple[str, ...]] = {
    Role.TEAM_MANAGER: ("Team manager",),
    Role.SERVICE_MANAGER: ("Service manager",),
    Role.ASSISTANT_DIRECTOR: ("Assistant Director, Children's Social Care", "Assistant Director, Early Help"),
    Role.DIRECTOR: ("Director of Children's Social Care", "Corporate Director of Children's Services"),
    Role.CONFERENCE_CHAIR: ("Child protection conference chair",),
    Role.IRO: ("Independent reviewing officer",),
    Role.QA_OFFICER: ("Quality assurance officer",),
    Role.QA_MANAGER: ("Quality assurance manager", "Head of Service for Practice, Performance and QA"),
    Role.PARTICIPATION_OFFICER: ("Participation officer",),
    Role.PSW: ("Principal social worker",),
    Role.BI_OFFICER: ("Business intelligence analyst",),
    Role.EH_COORDINATOR: ("Early help co-ordinator",),
    Role.EH_STRATEGIC_LEAD: ("Early help strategic lead",),
    Role.PARTNER_CONTRIBUTOR: (
        "Detective sergeant, public protection (police)",
        "Designated nurse for safeguarding (health)",
        "Designated safeguarding lead (education)",
    ),
    Role.ADMINISTRATOR: ("Systems administrator",),
}
ADULT_SPECIALISTS = ("domestic abuse", "substance use", "adult mental health")
# Auditing is a duty, not a role (DESIGN section 1): these roles hold it in the demo.
AUDITOR_ROLES = frozenset(
    {
        Role.TEAM_MANAGER,
        Role.SERVICE_MANAGER,
        Role.HEAD_OF_SERVICE,
        Role.ASSISTANT_DIRECTOR,
        Role.DIRECTOR,
        Role.CONFERENCE_CHAIR,
        Role.IRO,
        Role.EH_COORDINATOR,
        Role.EH_STRATEGIC_LEAD,
    }
)
MODERATOR_ROLES = frozenset({Role.QA_OFFICER, Role.QA_MANAGER})
PRE_BIRTH_TYPES = frozenset({CaseType.CHILD_PROTECTION, CaseType.CHILD_IN_NEED, CaseType.EARLY_HELP})


# --- the plan ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlannedRole:
    role: str
    starts_on: datetime.date
    team: str | None = None
    area: str | None = None
    ends_on: datetime.date | None = None
    note: str = ""


@dataclass(frozen=True)
class PlannedDuty:
    duty: str
    starts_on: datetime.date
    ends_on: datetime.date | None = None


@dataclass
class PlannedPerson:
    email: str
    full_name: str
    job_title: str
    roles: list[PlannedRole] = field(default_factory=list)
    duties: list[PlannedDuty] = field(default_factory=list)
    is_staff: bool = False
    is_superuser: bool = False


@dataclass
class PlannedCase:
    case_reference: str
    child_initials: str
    birth_year: int
    unborn: bool
    case_type: str
    legal_status: str
    team: str
    practitioner: str | None
    chair: str | None
    family_reference: str
    restricted: bool
    opened_on: datetime.date
    closed_on: datetime.date | None

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


@dataclass
class DemoPlan:
    size: str
    today: datetime.date
    areas: list[tuple[str, str]]
    teams: list[tuple[str, str, str]]  # code, name, area code
    people: list[PlannedPerson]
    cases: list[PlannedCase]


def _weighted(rng: random.Random, choices: Sequence[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _team_names(area: AreaSpec, count: int) -> list[tuple[str, str]]:
    if area.code == "early-help" and count <= len(LOCALITIES):
        return [(f"eh-{place.lower()}", f"Early Help {place}") for place in LOCALITIES[:count]]
    names = []
    for n in range(1, count + 1):
        if area.code == "front-door" and n == 1:
            names.append(("fd-mash", "MASH"))
        else:
            names.append((f"{area.team_code}-{n}", f"{area.team_name} Team {n}"))
    return names


class _Planner:
    """Draws the whole authority from one seeded generator, in a fixed order."""

    def __init__(self, *, size: str, today: datetime.date) -> None:
        self.size = size
        self.spec = SIZE_SPECS[size]
        self.today = today
        self.rng = random.Random(f"demo:{size}:{today.isoformat()}")
        self.used_emails: set[str] = set(DEMO_EMAIL.values())
        self.people: list[PlannedPerson] = []
        self.by_role: dict[str, list[PlannedPerson]] = {role: [] for role in Role}
        self.team_practitioners: dict[str, list[PlannedPerson]] = {}
        self.areas = [AREA_BY_CODE[code] for code in self.spec.teams]
        self.teams: list[tuple[str, str, str]] = []
        for area in self.areas:
            for code, name in _team_names(area, self.spec.teams[area.code]):
                self.teams.append((code, name, area.code))

    # people ------------------------------------------------------------------------------------
    def _start(self) -> datetime.date:
        return self.today - datetime.timedelta(days=self.rng.randint(30, 6 * 365))

    def _person(self, role: str, *, job_title: str | None = None, demo: bool = False, **place: str) -> PlannedPerson:
        first = self.rng.choice(FIRST_NAMES)
        last = self.rng.choice(SURNAME_STARTS) + self.rng.choice(SURNAME_ENDS)
        if demo:
            email = DEMO_EMAIL[role]
        else:
            stem = f"{first}.{last}".lower()
            email, n = f"{stem}@{DEMO_DOMAIN}", 1
            while email in self.used_emails:
                n += 1
                email = f"{stem}{n}@{DEMO_DOMAIN}"
            self.used_emails.add(email)
        title = job_title or self.rng.choice(JOB_TITLES.get(role, (Role(role).label,)))
        starts_on = self._start()
        person = PlannedPerson(email=email, full_name=f"{first} {last}", job_title=title)
        person.roles.append(PlannedRole(role=role, starts_on=starts_on, **place))
        if role in AUDITOR_ROLES:
            person.duties.append(PlannedDuty(Duty.AUDITOR, starts_on))
        if role in MODERATOR_ROLES:
            person.duties.append(PlannedDuty(Duty.MODERATOR, starts_on))
        if role == Role.PSW:
            person.duties.append(PlannedDuty(Duty.PRACTICE_LEAD, starts_on))
        if role == Role.ADMINISTRATOR:
            person.is_staff = person.is_superuser = True
        self.people.append(person)
        self.by_role[role].append(person)
        return person

    def _practitioner_title(self, area: AreaSpec) -> str:
        if area.code == "early-help":
            return self.rng.choice(("Early help worker", "Family support worker", "Early help practitioner"))
        if area.code == "family-safeguarding" and self.rng.random() < 0.2:
            return f"Family Safeguarding adult specialist ({self.rng.choice(ADULT_SPECIALISTS)})"
        return self.rng.choice(("Social worker", "Social worker", "Senior social worker", "Advanced practitioner"))

    def plan_people(self) -> None:
        home_team = next(code for code, _, area in self.teams if area == DEMO_HOME_AREA)
        eh_team = next(code for code, _, area in self.teams if area == DEMO_EH_AREA)
        for code, _, area_code in self.teams:
            area = AREA_BY_CODE[area_code]
            self._person(Role.TEAM_MANAGER, team=code, demo=code == home_team)
            if area_code == DEMO_EH_AREA:
                self._person(Role.EH_COORDINATOR, team=code, demo=code == eh_team)
            practitioners = [
                self._person(
                    Role.PRACTITIONER,
                    team=code,
                    job_title=self._practitioner_title(area),
                    demo=code == home_team and n == 0,
                )
                for n in range(self.spec.practitioners_per_team)
            ]
            self.team_practitioners[code] = practitioners
        for area in self.areas:
            managers = max(1, self.spec.teams[area.code] // 6)
            for n in range(managers):
                self._person(
                    Role.SERVICE_MANAGER,
                    area=area.code,
                    job_title=f"Service manager, {area.name}",
                    demo=area.code == DEMO_HOME_AREA and n == 0,
                )
        self._person(Role.EH_STRATEGIC_LEAD, area=DEMO_EH_AREA, demo=True)
        # Heads of service each cover some of the areas (several role assignments a person).
        home_index = [a.code for a in self.areas].index(DEMO_HOME_AREA)
        count = min(self.spec.heads_of_service, len(self.areas))
        for n in range(count):
            covered = self.areas[n::count]
            head = self._person(
                Role.HEAD_OF_SERVICE,
                area=covered[0].code,
                job_title="Head of Service, " + " and ".join(a.name for a in covered),
                demo=n == home_index % count,
            )
            for extra in covered[1:]:
                head.roles.append(PlannedRole(Role.HEAD_OF_SERVICE, head.roles[0].starts_on, area=extra.code))
        authority_roles = (
            (Role.ASSISTANT_DIRECTOR, self.spec.assistant_directors),
            (Role.DIRECTOR, self.spec.directors),
            (Role.CONFERENCE_CHAIR, self.spec.conference_chairs),
            (Role.IRO, self.spec.iros),
            (Role.QA_OFFICER, self.spec.qa_officers),
            (Role.QA_MANAGER, self.spec.qa_managers),
            (Role.PARTICIPATION_OFFICER, self.spec.participation_officers),
            (Role.PSW, 1),
            (Role.BI_OFFICER, self.spec.bi_officers),
            (Role.PARTNER_CONTRIBUTOR, self.spec.partners),
            (Role.ADMINISTRATOR, self.spec.administrators),
        )
        for role, number in authority_roles:
            titles = JOB_TITLES[role]
            for n in range(number):
                # Job titles in turn, so both Directors and every partner agency appear.
                self._person(role, job_title=titles[n % len(titles)], demo=n == 0)
        self._plan_acting_up_and_practice_leads()

    def _plan_acting_up_and_practice_leads(self) -> None:
        demo_emails = set(DEMO_EMAIL.values())
        candidates = [
            (code, p)
            for code, _, _ in self.teams
            for p in self.team_practitioners[code]
            if p.email not in demo_emails and not p.job_title.startswith("Family Safeguarding adult")
        ]
        chosen = self.rng.sample(candidates, min(len(candidates), self.spec.acting_up + self.spec.acting_up // 2))
        for n, (code, person) in enumerate(chosen):
            if n < self.spec.acting_up:
                starts = self.today - datetime.timedelta(days=self.rng.randint(14, 90))
                ends = self.today + datetime.timedelta(days=self.rng.randint(14, 120))
                note = "Acting up while the team manager is on leave"
            else:
                starts = self.today - datetime.timedelta(days=self.rng.randint(200, 400))
                ends = starts + datetime.timedelta(days=self.rng.randint(30, 120))
                note = "Acted up to cover a team manager vacancy"
            person.roles.append(PlannedRole(Role.TEAM_MANAGER, starts, team=code, ends_on=ends, note=note))
            person.duties.append(PlannedDuty(Duty.AUDITOR, starts, ends))
        # Practice leads: about one experienced practitioner for every three teams, besides the PSW.
        leads = [p for _, p in candidates if p.job_title in {"Advanced practitioner", "Senior social worker"}]
        for person in self.rng.sample(leads, min(len(leads), max(1, len(self.teams) // 3))):
            person.duties.append(PlannedDuty(Duty.PRACTICE_LEAD, person.roles[0].starts_on))

    # case files --------------------------------------------------------------------------------
    def _initials(self, surname_initial: str) -> str:
        return self.rng.choice(INITIAL_LETTERS) + surname_initial

    def _dates(self, area: AreaSpec, case_type: str, is_open: bool) -> tuple[datetime.date, datetime.date | None]:
        low, high = area.duration
        if case_type == CaseType.CHILD_PROTECTION and area.code == "front-door":
            low, high = 1, 40
        duration = self.rng.randint(low, high)
        if is_open:
            return self.today - datetime.timedelta(days=duration), None
        closed = self.today - datetime.timedelta(days=self.rng.randint(1, 4 * 365))
        return closed - datetime.timedelta(days=duration), closed

    def _birth_year(self, case_type: str, opened_on: datetime.date) -> int:
        if case_type == CaseType.CARE_LEAVER:
            return self.today.year - self.rng.randint(18, 24)
        return min(self.today.year, opened_on.year - self.rng.randint(0, 16))

    def plan_cases(self) -> list[PlannedCase]:
        cases: list[PlannedCase] = []
        chairs = [p.email for p in self.by_role[Role.CONFERENCE_CHAIR]]
        iros = [p.email for p in self.by_role[Role.IRO]]
        quota, remainder = divmod(self.spec.case_files, len(self.teams))
        family_number = 0
        for index, (code, _, area_code) in enumerate(self.teams):
            area = AREA_BY_CODE[area_code]
            mix = self.spec.mix_overrides.get(area_code, area.case_mix)
            practitioners = [p.email for p in self.team_practitioners[code]]
            wanted = quota + (1 if index < remainder else 0)
            made = 0
            while made < wanted:
                family_number += 1
                # Siblings share a family reference (and their worker, chair and dates).
                size = min(wanted - made, self.rng.choices((1, 2, 3, 4), weights=(70, 18, 8, 4))[0])
                case_type = _weighted(self.rng, mix)
                is_open = self.rng.random() < area.open_share
                opened_on, closed_on = self._dates(area, case_type, is_open)
                practitioner = self.rng.choice(practitioners)
                if is_open and self.rng.random() < 0.06:
                    practitioner = None  # unallocated: waiting for a worker
                chair = None
                if case_type == CaseType.CHILD_PROTECTION:
                    chair = self.rng.choice(chairs)
                elif case_type == CaseType.CHILD_IN_CARE:
                    chair = self.rng.choice(iros)
                surname_initial = self.rng.choice(INITIAL_LETTERS)
                # An unborn baby: pre-birth child protection or early help, opened recently.
                unborn = size == 1 and is_open and case_type in PRE_BIRTH_TYPES and self.rng.random() < 0.04
                for _ in range(size):
                    made += 1
                    if unborn:
                        opened_on = self.today - datetime.timedelta(days=self.rng.randint(7, 150))
                        birth_year = self.today.year + self.rng.randint(0, 1)
                    else:
                        birth_year = self._birth_year(case_type, opened_on)
                    cases.append(
                        PlannedCase(
                            case_reference=f"NM{len(cases) + 1:07d}",
                            child_initials=self._initials(surname_initial),
                            birth_year=birth_year,
                            unborn=unborn,
                            case_type=case_type,
                            legal_status=_weighted(self.rng, LEGAL_STATUSES[case_type]),
                            team=code,
                            practitioner=practitioner,
                            chair=chair,
                            family_reference=f"NMF{family_number:06d}",
                            restricted=self.rng.random() < 0.01,
                            opened_on=opened_on,
                            closed_on=closed_on,
                        )
                    )
        self._guarantee(cases)
        return cases

    def _guarantee(self, cases: list[PlannedCase]) -> None:
        """Make sure the demo sign-ins and the things a demo shows exist even at tiny size."""
        practitioner, chair, iro = (
            DEMO_EMAIL[Role.PRACTITIONER],
            DEMO_EMAIL[Role.CONFERENCE_CHAIR],
            DEMO_EMAIL[Role.IRO],
        )
        home_team = next(p.roles[0].team for p in self.people if p.email == practitioner)

        def ensure(
            minimum: int,
            has: Callable[[PlannedCase], bool],
            can: Callable[[PlannedCase], bool],
            fix: Callable[[PlannedCase], None],
        ) -> None:
            missing = minimum - sum(1 for c in cases if has(c))
            for case in cases:
                if missing <= 0:
                    break
                if not has(case) and can(case):
                    fix(case)
                    missing -= 1

        def allocate(case: PlannedCase) -> None:
            case.practitioner = practitioner

        def chair_by(email: str) -> Callable[[PlannedCase], None]:
            def _set(case: PlannedCase) -> None:
                case.chair = email

            return _set

        def unallocate(case: PlannedCase) -> None:
            case.practitioner = None

        def restrict(case: PlannedCase) -> None:
            case.restricted = True

        def unborn(case: PlannedCase) -> None:
            case.unborn = True
            case.birth_year = self.today.year + 1
            case.opened_on = self.today - datetime.timedelta(days=30)

        mine = practitioner
        ensure(5, lambda c: c.is_open and c.practitioner == mine, lambda c: c.is_open and c.team == home_team, allocate)
        ensure(
            1,
            lambda c: c.is_open and c.practitioner == mine and c.case_type == CaseType.CHILD_PROTECTION,
            lambda c: c.is_open and c.team == home_team and c.case_type == CaseType.CHILD_PROTECTION,
            allocate,
        )
        ensure(
            3,
            lambda c: c.is_open and c.chair == chair,
            lambda c: c.is_open and c.case_type == CaseType.CHILD_PROTECTION,
            chair_by(chair),
        )
        ensure(
            3,
            lambda c: c.is_open and c.chair == iro,
            lambda c: c.is_open and c.case_type == CaseType.CHILD_IN_CARE,
            chair_by(iro),
        )
        ensure(
            1, lambda c: c.is_open and c.practitioner is None, lambda c: c.is_open and c.team != home_team, unallocate
        )
        ensure(1, lambda c: c.restricted, lambda c: c.is_open and c.team == home_team, restrict)
        ensure(
            1,
            lambda c: c.unborn,
            lambda c: c.is_open and c.team != home_team and c.case_type in PRE_BIRTH_TYPES,
            unborn,
        )


def demo_plan(*, size: str, today: datetime.date) -> DemoPlan:
    """The whole authority for ``size`` as of ``today``: the same inputs give the same plan."""
    if size not in SIZE_SPECS:
        raise ValueError(f"size must be one of {', '.join(SIZES)}")
    planner = _Planner(size=size, today=today)
    planner.plan_people()
    cases = planner.plan_cases()
    return DemoPlan(
        size=size,
        today=today,
        areas=[(area.code, area.name) for area in planner.areas],
        teams=planner.teams,
        people=planner.people,
        cases=cases,
    )


# --- writing it ----------------------------------------------------------------------------------
LABELS = ("service areas", "teams", "people", "case files")


@dataclass
class SeedReport:
    """What a seeding run created, and what it found already present (by natural key)."""

    size: str
    today: datetime.date
    created: dict[str, int] = field(default_factory=dict)
    present: dict[str, int] = field(default_factory=dict)
    # A demo authority built for another size or date is in the database: nothing was added,
    # rather than a second set of staff beside the first.
    other_demo_present: bool = False

    @property
    def created_anything(self) -> bool:
        return any(self.created.values())

    def lines(self) -> list[str]:
        lines = [
            f"{label}: {self.created.get(label, 0)} created, {self.present[label]} already present" for label in LABELS
        ]
        lines.insert(
            3,
            f"role assignments and duties: {self.created.get('role assignments', 0)} and "
            f"{self.created.get('duties', 0)} created (only for people created now)",
        )
        return lines


def _present(model: type[Model], field_name: str, values: Sequence[str]) -> set[str]:
    """Which of ``values`` are already in ``model`` (asked in batches, for 60,000 references)."""
    found: set[str] = set()
    for start in range(0, len(values), BATCH_SIZE):
        chunk = values[start : start + BATCH_SIZE]
        found.update(model._default_manager.filter(**{f"{field_name}__in": chunk}).values_list(field_name, flat=True))
    return found


@transaction.atomic
def demo_authority_seed(*, size: str, today: datetime.date) -> SeedReport:
    """Build the synthetic authority for ``size`` and ``today``, inserting only what is missing.

    One transaction: a failure leaves nothing half-built. If a demo authority built for another
    size or date is already there (its names differ), nothing is added: the demo keeps one set
    of staff. The demo password is hashed once and the hash shared by every person (PBKDF2
    costs 0.4 s a hash; see STACK.md).
    """
    plan = demo_plan(size=size, today=today)
    report = SeedReport(size=size, today=today)
    area_codes = [code for code, _ in plan.areas]
    team_codes = [code for code, _, _ in plan.teams]
    emails = [p.email for p in plan.people]
    references = [c.case_reference for c in plan.cases]
    areas_present = _present(ServiceArea, "code", area_codes)
    teams_present = _present(Team, "code", team_codes)
    people_present = _present(User, "email", emails)
    cases_present = _present(CaseFile, "case_reference", references)
    report.present = {
        "service areas": len(areas_present),
        "teams": len(teams_present),
        "people": len(people_present),
        "case files": len(cases_present),
    }
    missing = len(people_present) < len(emails) or len(cases_present) < len(references)
    if missing and User.objects.filter(email__in=list(DEMO_EMAIL.values())).exists():
        report.other_demo_present = True
        return report

    ServiceArea.objects.bulk_create([ServiceArea(code=c, name=n) for c, n in plan.areas if c not in areas_present])
    report.created["service areas"] = len(area_codes) - len(areas_present)
    area_ids = dict(ServiceArea.objects.filter(code__in=area_codes).values_list("code", "pk"))

    new_teams = [Team(code=c, name=n, service_area_id=area_ids[a]) for c, n, a in plan.teams if c not in teams_present]
    bulk_create_with_history(new_teams, Team, batch_size=BATCH_SIZE, default_change_reason=HISTORY_REASON)
    report.created["teams"] = len(new_teams)
    team_ids = dict(Team.objects.filter(code__in=team_codes).values_list("code", "pk"))

    new_people = [p for p in plan.people if p.email not in people_present]
    password = make_password(DEMO_PASSWORD)
    User.objects.bulk_create(
        [
            User(
                email=p.email,
                full_name=p.full_name,
                job_title=p.job_title,
                password=password,
                is_staff=p.is_staff,
                is_superuser=p.is_superuser,
            )
            for p in new_people
        ],
        batch_size=BATCH_SIZE,
    )
    report.created["people"] = len(new_people)
    user_ids = dict(User.objects.filter(email__in=emails).values_list("email", "pk"))

    # Roles and duties only for the people this run created: someone already present keeps
    # whatever an administrator has done to their record since.
    assignments = [
        RoleAssignment(
            person_id=user_ids[p.email],
            role=r.role,
            team_id=team_ids[r.team] if r.team else None,
            service_area_id=area_ids[r.area] if r.area else None,
            starts_on=r.starts_on,
            ends_on=r.ends_on,
            note=r.note,
        )
        for p in new_people
        for r in p.roles
    ]
    bulk_create_with_history(assignments, RoleAssignment, batch_size=BATCH_SIZE, default_change_reason=HISTORY_REASON)
    duties = [
        DutyAssignment(person_id=user_ids[p.email], duty=d.duty, starts_on=d.starts_on, ends_on=d.ends_on)
        for p in new_people
        for d in p.duties
    ]
    bulk_create_with_history(duties, DutyAssignment, batch_size=BATCH_SIZE, default_change_reason=HISTORY_REASON)
    report.created["role assignments"], report.created["duties"] = len(assignments), len(duties)

    new_cases = [
        CaseFile(
            case_reference=c.case_reference,
            child_initials=c.child_initials,
            birth_year=c.birth_year,
            unborn=c.unborn,
            case_type=c.case_type,
            legal_status=c.legal_status,
            team_id=team_ids[c.team],
            practitioner_id=user_ids[c.practitioner] if c.practitioner else None,
            chair_id=user_ids[c.chair] if c.chair else None,
            family_reference=c.family_reference,
            restricted=c.restricted,
            opened_on=c.opened_on,
            closed_on=c.closed_on,
        )
        for c in plan.cases
        if c.case_reference not in cases_present
    ]
    # With history, like the caseload import: the audit trail of every case file starts at the
    # seed, and the history library's bulk helper writes it in batches too.
    bulk_create_with_history(
        new_cases, CaseFile, batch_size=BATCH_SIZE, default_change_reason=HISTORY_REASON, default_date=timezone.now()
    )
    report.created["case files"] = len(new_cases)
    return report
