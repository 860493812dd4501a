"""Rows for the highlight-report context tests, written straight to the database (no services, no
hooks) so every figure is known and can be counted by hand.

``clinic_setup(world)`` makes the one-off things: the catalogue's few indicators' shared rows,
the audit tool, questionnaires, themes, the month's dip-sample round, the clinic's terms of
reference and meetings. ``add_clinic_rows(world, setup, copy=n)`` adds one *copy* of the team
data: copy 0 is the hand-counted fixture (see ``tests/clinics/test_team_clinic_context.py`` for
each figure); later copies repeat every kind of row with fresh keys, for the query-count tests.

The report period is October 2026 (``PERIOD``); team A1 (``world.team_a1``) is reported on and
team B1 (``world.team_b1``) holds data that must never be counted. Case references start with
``ZZREF`` and every child's initials are ``ZQ``, so a test can prove neither reaches a report.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from audits.models import (
    Action,
    ActionReview,
    Audit,
    ChildOfConcern,
    DipSample,
    DipSampleItem,
    DipSampleRound,
    Element,
    ElementAnswer,
    Theme,
    ToolVersion,
)
from clinics.models import Meeting, MeetingAction, MeetingKind, TermsOfReference
from core.framework import framework_load
from feedback.models import Channel, ParticipationTask, Questionnaire, Response
from observations.models import ConsentBy, Observation, ObservationPractitioner
from organisation.models import Role, Team, User
from performance.estimates import month_end
from performance.models import Benchmark, Estimate, FigureOfRecord, Indicator, IndicatorType
from tests.audits.factories import tool_version
from tests.factories import CaseFileFactory, person_with_role

PERIOD = datetime.date(2026, 10, 1)
# Friday 20 November 2026, midday in London: after the period, so "overdue" is judged on 31 October.
NOW = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=ZoneInfo("Europe/London"))
LONDON = ZoneInfo("Europe/London")
CASE_PREFIX = "ZZREF"
INITIALS = "ZQ"
FEEDBACK_FRAMEWORK = Path(__file__).resolve().parents[2] / "feedback" / "framework"
_refs = itertools.count(1)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=LONDON)


def d(year: int, month: int, day: int) -> datetime.date:
    return datetime.date(year, month, day)


@dataclass
class ClinicSetup:
    tool: ToolVersion
    elements: dict[str, Element]
    questionnaires: dict[str, Questionnaire]
    round: DipSampleRound
    meetings: dict[str, Meeting]
    # People whose names must never appear in a report (practitioners, auditors).
    hidden_names: list[str] = field(default_factory=list)
    # Free text that must never appear (not shared, other teams, outside the period).
    hidden_texts: list[str] = field(default_factory=list)


def clinic_setup(world: Any) -> ClinicSetup:
    tool = ToolVersion.objects.filter(tool__key="social-work", number=1).first() or tool_version()
    elements = {e.code: e for e in tool.elements.all()}
    framework_load(dirs=[FEEDBACK_FRAMEWORK])
    questionnaires = {q.audience: q for q in Questionnaire.objects.filter(version=1)}
    Theme.objects.get_or_create(slug="voice-of-child", defaults={"name": "Voice of the child"})
    Theme.objects.get_or_create(slug="planning", defaults={"name": "Planning"})
    qa = world.people["qa_officer"]
    round = DipSampleRound.objects.create(month=PERIOD, theme="Voice of the child in plans", checklist=tool, set_by=qa)
    # A round of another month: its samples are not this month's.
    DipSampleRound.objects.create(month=d(2026, 9, 1), theme="Chronologies", checklist=tool, set_by=qa)
    terms = TermsOfReference.objects.create(
        key="clinic",
        kind=MeetingKind.CLINIC,
        title="Practice and performance clinic",
        purpose="Purpose",
        chair="Service manager",
        frequency="Monthly",
        quorum="Chair and team manager",
    )
    tm = world.people["team_manager_same"]
    meetings = {
        "sep": Meeting.objects.create(
            kind=MeetingKind.CLINIC, team=world.team_a1, held_on=d(2026, 9, 16), terms=terms, created_by=tm
        ),
        "oct": Meeting.objects.create(
            kind=MeetingKind.CLINIC, team=world.team_a1, held_on=d(2026, 10, 14), terms=terms, created_by=tm
        ),
        "b1": Meeting.objects.create(
            kind=MeetingKind.CLINIC,
            team=world.team_b1,
            held_on=d(2026, 10, 14),
            terms=terms,
            created_by=world.people["team_manager_other"],
        ),
    }
    setup = ClinicSetup(tool=tool, elements=elements, questionnaires=questionnaires, round=round, meetings=meetings)
    setup.hidden_names += [
        world.people["practitioner_own"].full_name,
        world.people["practitioner_other"].full_name,
        world.people["team_manager_other"].full_name,
        world.people["qa_officer"].full_name,
    ]
    return setup


# --- one copy of the data ------------------------------------------------------------------------------
def _audit(
    setup: ClinicSetup,
    world: Any,
    team: Team,
    month: datetime.date,
    status: str,
    grade: str = "",
    practitioner: User | None = None,
    **fields: Any,
) -> Audit:
    case = CaseFileFactory(
        case_reference=f"{CASE_PREFIX}{next(_refs):05d}",
        child_initials=INITIALS,
        team=team,
        practitioner=practitioner,
    )
    return Audit.objects.create(
        kind="ad_hoc",
        status=status,
        case_file=case,
        tool_version=setup.tool,
        auditor=world.people["team_manager_other"],
        month=month,
        due_on=month_end(month),
        allocated_at=at(month, 9),
        case_reference=case.case_reference,
        child_initials=INITIALS,
        case_type=case.case_type,
        team=team,
        service_area=team.service_area,
        practitioner=practitioner,
        case_opened_on=case.opened_on,
        overall_grade=fields.pop("overall_grade", grade),
        reported_grade=grade,
        **fields,
    )


def _indicator(code: str, kind: str, baskets: list[str], position: int, **fields: Any) -> Indicator:
    return Indicator.objects.create(
        code=code,
        name=fields.pop("name", code.replace("_", " ").capitalize()),
        brief=f"What {code} may show.",
        sources=["local"],
        type=kind,
        baskets=baskets,
        position=position,
        **fields,
    )


def _figure(model: type, indicator: Indicator, scope_key: str, month: datetime.date, value: Any, **fields: Any) -> Any:
    return model.objects.create(
        indicator=indicator,
        scope_key=scope_key,
        period_start=fields.pop("period_start", month),
        period_end=fields.pop("period_end", month_end(month)),
        value=None if value is None else Decimal(str(value)),
        **{k: Decimal(str(v)) for k, v in fields.items()},
    )


def add_clinic_rows(world: Any, setup: ClinicSetup, *, copy: int = 0) -> dict[str, Any]:
    """One copy of the team data. Copy 0 is the hand-counted fixture; its rows are returned by name."""
    p = world.people
    a1, b1 = world.team_a1, world.team_b1
    sfx = "" if copy == 0 else f"_{copy}"
    made: dict[str, Any] = {}
    practitioner = p["practitioner_own"] if copy == 0 else person_with_role(Role.PRACTITIONER, team=a1)
    colleague = person_with_role(Role.PRACTITIONER, team=a1)
    manager = p["team_manager_same"] if copy == 0 else person_with_role(Role.TEAM_MANAGER, team=a1)
    setup.hidden_names += [practitioner.full_name, colleague.full_name]

    # --- audits of A1 ---------------------------------------------------------------------------
    oct_, sep = PERIOD, d(2026, 9, 1)
    made["a1"] = _audit(
        setup,
        world,
        a1,
        oct_,
        "closed",
        "good",
        practitioner,
        overall_grade="requires_improvement",
        moderated=True,
        moderation_changed_grade=True,
    )
    made["a2"] = _audit(setup, world, a1, oct_, "submitted", "outstanding", practitioner)
    made["a3"] = _audit(setup, world, a1, oct_, "submitted", "inadequate", colleague)
    made["a4"] = _audit(setup, world, a1, oct_, "in_progress", "", practitioner)
    made["a5"] = _audit(setup, world, a1, oct_, "cancelled", "", practitioner)
    made["a6"] = _audit(setup, world, a1, sep, "closed", "good", practitioner, moderated=True)
    made["a7"] = _audit(setup, world, a1, sep, "closed", "requires_improvement", colleague)
    made["a8"] = _audit(setup, world, a1, d(2025, 11, 1), "closed", "inadequate", practitioner)
    made["a9"] = _audit(setup, world, a1, d(2025, 10, 1), "closed", "good", practitioner)  # before the 12 months
    # --- team B1: never counted --------------------------------------------------------------------
    made["b1"] = _audit(setup, world, b1, oct_, "submitted", "good", p["practitioner_other"])
    made["b1_open"] = _audit(setup, world, b1, oct_, "allocated", "", p["practitioner_other"])

    # Themes: graded element answers of done audits in August to October.
    el = setup.elements
    ElementAnswer.objects.create(audit=made["a1"], element=el["A1"], grade="good", theme_tags=["voice-of-child"])
    ElementAnswer.objects.create(
        audit=made["a1"], element=el["A2"], grade="requires_improvement", theme_tags=["planning"]
    )
    ElementAnswer.objects.create(audit=made["a7"], element=el["A1"], grade="good")
    ElementAnswer.objects.create(audit=made["a9"], element=el["A2"], grade="inadequate")  # before August
    ElementAnswer.objects.create(audit=made["b1"], element=el["A2"], grade="inadequate", theme_tags=["planning"])

    # --- children of concern and 6-week reviews ----------------------------------------------------
    qa = p["qa_officer"]

    def episode(audit: Audit, started: datetime.date, status: str = "open", ended: datetime.date | None = None):
        return ChildOfConcern.objects.create(
            case_file=audit.case_file,
            audit=audit,
            status=status,
            started_at=at(started),
            started_by=qa,
            start_reason="Reason",
            ended_at=at(ended) if ended else None,
        )

    e1 = episode(made["a3"], d(2026, 10, 12))
    e2 = episode(made["a8"], d(2025, 11, 20), "closed", d(2026, 2, 10))
    e3 = episode(made["a6"], d(2026, 9, 15), "ended", d(2026, 11, 5))
    eb = episode(made["b1"], d(2026, 10, 5))

    def review(ep, number, due, status="scheduled", completed=None):
        return ActionReview.objects.create(
            episode=ep,
            number=number,
            due_on=due,
            allocate_on=due - datetime.timedelta(days=7),
            status=status,
            completed_at=at(completed) if completed else None,
        )

    review(e3, 1, d(2026, 10, 20), "done", d(2026, 10, 22))
    review(e1, 1, d(2026, 11, 23))
    review(e2, 1, d(2025, 12, 30), "done", d(2026, 1, 5))
    review(e3, 2, d(2026, 10, 28), "allocated")
    review(e1, 2, d(2026, 10, 15), "cancelled")
    review(eb, 1, d(2026, 10, 10), "allocated")

    # --- audit actions ------------------------------------------------------------------------------
    def action(audit, due, status="open", completed=None):
        return Action.objects.create(
            audit=audit,
            description=f"Audit action {CASE_PREFIX} detail",
            owner=practitioner,
            due_on=due,
            status=status,
            completed_on=completed,
            created_by=qa,
        )

    action(made["a1"], d(2026, 10, 10), "done", d(2026, 10, 9))
    action(made["a2"], d(2026, 10, 20))
    action(made["a6"], d(2026, 9, 25), "done", d(2026, 11, 2))
    action(made["a3"], d(2026, 11, 15))
    action(made["a7"], d(2026, 10, 31), "not_done")
    action(made["a5"], d(2026, 10, 5))  # a cancelled audit's action
    action(made["b1"], d(2026, 10, 5))

    # --- performance figures --------------------------------------------------------------------------
    key_a1, key_b1 = f"team:{a1.code}", f"team:{b1.code}"
    in_45 = _indicator(
        f"assessments_in_45_days_pct{sfx}",
        IndicatorType.PERCENTAGE,
        ["front_door", "team"],
        20,
        name="Assessments in 45 days",
        unit="%",
        target_allowed=True,
        target=Decimal("85"),
        direction="higher",
    )
    referrals = _indicator(
        f"referrals{sfx}",
        IndicatorType.FLOW,
        ["front_door"],
        10,
        name="Referrals",
        unit="referrals",
        demand_measure=True,
    )
    rate = _indicator(
        f"assessments_rate{sfx}",
        IndicatorType.RATE,
        ["front_door"],
        30,
        unit="per 10,000 children aged 0–17",
        demand_measure=True,
        lowest_scope="authority",
    )
    vacancies = _indicator(f"vacancies{sfx}", IndicatorType.STOCK, ["workforce"], 40, name="Vacancies", unit="posts")
    turnover = _indicator(
        f"turnover_pct{sfx}",
        IndicatorType.PERCENTAGE,
        ["workforce"],
        50,
        name="Turnover",
        unit="%",
        lowest_scope="area",
    )
    made["indicators"] = {"in_45": in_45, "referrals": referrals, "vacancies": vacancies}
    _figure(FigureOfRecord, in_45, key_a1, oct_, 80, numerator=8, denominator=10)
    _figure(FigureOfRecord, in_45, key_a1, sep, None, numerator=6, denominator=8)  # worked out: 75
    _figure(FigureOfRecord, in_45, key_a1, d(2026, 8, 1), 90, numerator=9, denominator=10)
    _figure(FigureOfRecord, in_45, key_a1, d(2025, 10, 1), 70, numerator=7, denominator=10)
    _figure(FigureOfRecord, in_45, "authority", oct_, 55, numerator=55, denominator=100)
    _figure(Estimate, in_45, key_a1, oct_, 77)
    _figure(FigureOfRecord, referrals, key_a1, oct_, 12)
    _figure(FigureOfRecord, referrals, key_a1, sep, 15)
    # A quarter ending in October: the month's own figure wins.
    _figure(FigureOfRecord, referrals, key_a1, oct_, 40, period_start=d(2026, 8, 1), period_end=d(2026, 10, 31))
    _figure(FigureOfRecord, referrals, key_b1, oct_, 99)
    _figure(FigureOfRecord, rate, key_a1, oct_, 321)  # authority only: never on a team's report
    _figure(FigureOfRecord, vacancies, key_a1, oct_, 1.5)
    _figure(FigureOfRecord, vacancies, key_a1, sep, 2)
    _figure(FigureOfRecord, turnover, key_a1, oct_, 12.5)  # a rate: service areas only
    for comparator, start, end, value in (
        ("statistical_neighbours", d(2024, 4, 1), d(2025, 3, 31), "81"),
        ("statistical_neighbours", d(2025, 4, 1), d(2026, 3, 31), "82.5"),
        ("england", d(2024, 4, 1), d(2025, 3, 31), "78"),
        ("region", d(2025, 4, 1), d(2026, 3, 31), "79"),
    ):
        Benchmark.objects.create(
            indicator=in_45, comparator=comparator, period_start=start, period_end=end, value=Decimal(value)
        )

    # --- dip samples ---------------------------------------------------------------------------------------
    sample = DipSample.objects.create(
        round=setup.round,
        manager=manager,
        team=a1,
        status="done",
        due_on=d(2026, 10, 31),
        completed_at=at(d(2026, 10, 30)),
    )
    for position, result in enumerate(["met", "met", "partly_met", "not_met", ""]):
        DipSampleItem.objects.create(
            sample=sample,
            case_file=CaseFileFactory(
                case_reference=f"{CASE_PREFIX}{next(_refs):05d}", child_initials=INITIALS, team=a1
            ),
            position=position,
            result=result,
            note=f"Dip note {CASE_PREFIX}",
        )
    other = DipSample.objects.create(
        round=setup.round,
        manager=p["team_manager_other"] if copy == 0 else person_with_role(Role.TEAM_MANAGER, team=b1),
        team=b1,
        status="done",
        due_on=d(2026, 10, 31),
    )
    DipSampleItem.objects.create(
        sample=other, case_file=world.case_b if copy == 0 else CaseFileFactory(team=b1), result="met"
    )

    # --- observations ---------------------------------------------------------------------------------------
    def observation(team, kind, observed, status="completed", completed=None):
        return Observation.objects.create(
            type=kind,
            observed_on=observed,
            observer=manager,
            team=team,
            service_area=team.service_area,
            consent_by=ConsentBy.FAMILY,
            strengths=f"Strengths {CASE_PREFIX}",
            discussion_on=observed if status == "completed" else None,
            status=status,
            completed_at=at(completed) if completed else None,
        )

    def share(obs, person, choice, text):
        ObservationPractitioner.objects.create(
            observation=obs, practitioner=person, team=obs.team, share_choice=choice, shared_learning=text
        )

    o1 = observation(a1, "home_visit", d(2026, 10, 8), completed=d(2026, 10, 14))
    share(o1, practitioner, "shared", f"SHAREDLEARN-1{sfx} Plan the visit around the child's school day.")
    share(o1, colleague, "not_shared", f"NOTSHARED-SECRET{sfx}")
    o2 = observation(a1, "supervision", d(2026, 10, 19), completed=d(2026, 10, 20))
    share(o2, colleague, "", "")
    o3 = observation(a1, "home_visit", d(2026, 10, 21), status="draft")
    share(o3, practitioner, "shared", f"DRAFT-LEARN{sfx}")
    o4 = observation(b1, "home_visit", d(2026, 10, 9), completed=d(2026, 10, 10))
    share(o4, p["practitioner_other"], "shared", f"B1-LEARN{sfx}")
    o5 = observation(a1, "office_visit", d(2026, 8, 30), completed=d(2026, 9, 3))
    share(o5, practitioner, "shared", f"SHAREDLEARN-2{sfx} Ask the child first.")
    o6 = observation(a1, "office_visit", d(2026, 7, 30), completed=d(2026, 7, 31))
    share(o6, practitioner, "shared", f"OLD-LEARN{sfx}")
    setup.hidden_texts += [f"NOTSHARED-SECRET{sfx}", f"DRAFT-LEARN{sfx}", f"B1-LEARN{sfx}", f"OLD-LEARN{sfx}"]

    # --- family feedback ------------------------------------------------------------------------------------
    def task(audit, outcome=""):
        return ParticipationTask.objects.create(
            audit=audit,
            status="closed" if outcome else "awaiting_safety",
            outcome=outcome,
            outcome_reason="Reason" if outcome == "not_appropriate" else "",
        )

    def respond(t, audience, progress, sharing, text, submitted=None, *, name=""):
        return Response.objects.create(
            task=t,
            questionnaire=setup.questionnaires[audience],
            channel=Channel.PHONE,
            respondent="Mum" if audience == "parent" else "",
            respondent_name=name,
            consent_given=True,
            answers={"changed": text, "progress": progress} if text else {"progress": progress},
            view_of_progress=progress,
            sharing=sharing,
            status="submitted" if submitted else "draft",
            submitted_at=at(submitted) if submitted else None,
        )

    t1 = task(made["a1"], "completed")
    task(made["a2"], "declined")
    t6 = task(made["a6"], "completed")
    task(made["a7"], "no_reply")
    task(made["a4"])
    t5 = task(made["a5"], "completed")  # a cancelled audit
    t8 = task(made["a8"], "completed")  # before August
    tb = task(made["b1"], "completed")
    respond(t1, "child", "better", "anonymous", f"QUOTE-CHILD-ANON{sfx} I feel safer at home now", d(2026, 10, 20))
    respond(
        t1,
        "parent",
        "much_better",
        "named",
        f"QUOTE-PARENT-NAMED{sfx} Things are calmer",
        d(2026, 10, 21),
        name=f"RESPNAME-SECRET{sfx}",
    )
    respond(t6, "parent", "no_change", "not_shared", f"QUOTE-NOTSHARED{sfx} secret words", d(2026, 9, 20))
    respond(t6, "parent", "worse", "", "", None)  # a draft
    respond(t5, "parent", "better", "named", f"QUOTE-CANCELLED{sfx}", d(2026, 10, 2))
    respond(t8, "parent", "better", "named", f"QUOTE-OLD{sfx}", d(2025, 11, 25))
    respond(tb, "parent", "better", "named", f"QUOTE-B1{sfx}", d(2026, 10, 22))
    setup.hidden_texts += [
        f"RESPNAME-SECRET{sfx}",
        f"QUOTE-NOTSHARED{sfx}",
        f"QUOTE-CANCELLED{sfx}",
        f"QUOTE-OLD{sfx}",
        f"QUOTE-B1{sfx}",
    ]

    # --- the clinic's action log ---------------------------------------------------------------------------
    m = setup.meetings

    def meeting_action(meeting, what, owner, due, status="open", closed=None, notes=""):
        return MeetingAction.objects.create(
            raised_at=meeting,
            kind=MeetingKind.CLINIC,
            team=meeting.team,
            what=what,
            owner=owner,
            due_on=due,
            status=status,
            closed_on=closed,
            notes=notes,
            created_by=p["team_manager_same"],
        )

    made["ma1"] = meeting_action(m["sep"], f"CARRIED-OPEN{sfx} timetable supervision", manager, d(2026, 10, 10))
    made["ma2"] = meeting_action(
        m["sep"],
        f"CARRIED-DONE{sfx} audit catch-up",
        manager,
        d(2026, 10, 1),
        "done",
        d(2026, 10, 14),
        "Done at clinic",
    )
    meeting_action(m["sep"], f"CLOSED-BEFORE{sfx}", manager, d(2026, 9, 20), "done", d(2026, 9, 30))
    made["ma4"] = meeting_action(
        m["oct"],
        f"NEW-ACTION{sfx} visits plan",
        p["service_manager_same"],
        d(2026, 11, 30),
        "in_progress",
        notes="Notes for the new action",
    )
    meeting_action(m["b1"], f"B1-ACTION{sfx}", p["team_manager_other"], d(2026, 10, 20))
    setup.hidden_texts += [f"CLOSED-BEFORE{sfx}", f"B1-ACTION{sfx}"]
    return made
