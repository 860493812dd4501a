"""Sampling for moderation: a reproducible draw at the configured share, every Inadequate and
Outstanding, a new auditor's first three audits, the QA team's picks by hand; never twice.

The usual audit (tests/audits/conftest.py) is of case_a, auditor team_manager_other."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from audits.models import AuditStatus, Grade, Moderation, ModerationReason
from audits.services import moderation as svc
from audits.services.practitioner import AUDIT_SUBMITTED_HOOK
from core import hooks
from core.models import QASettings

from .factories import allocate, mark_submitted

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(datetime.datetime(2026, 11, 16, 10, 0, tzinfo=LONDON), tick=False):
        yield


def submit(audit, *, grade=Grade.GOOD, on=datetime.date(2026, 11, 10)):
    mark_submitted(audit, grade=grade, on=on)
    hooks.call(AUDIT_SUBMITTED_HOOK, audit=audit)
    audit.refresh_from_db()
    return audit


def old_hand(world, tool, count=3):
    """Give the auditor three earlier submitted audits so they are no longer new."""
    for day in range(1, count + 1):
        mark_submitted(
            allocate(world.case_b, world.people["team_manager_other"], version=tool, kind="ad_hoc"),
            on=datetime.date(2026, 10, day),
        )


def test_the_draw_picks_about_the_configured_share_and_is_the_same_every_time():
    picked = [svc.moderation_draw_picks(audit_id=pk, share=25) for pk in range(1, 401)]
    assert 0.20 * 400 <= sum(picked) <= 0.30 * 400
    assert picked == [svc.moderation_draw_picks(audit_id=pk, share=25) for pk in range(1, 401)]
    assert not any(svc.moderation_draw_picks(audit_id=pk, share=0) for pk in range(1, 401))
    assert all(svc.moderation_draw_picks(audit_id=pk, share=100) for pk in range(1, 401))


def test_the_share_comes_from_the_qa_settings(world, tool, audit_a):
    old_hand(world, tool)
    settings = QASettings.current()
    settings.moderation_share = 100
    settings.save()
    audit = submit(audit_a)
    assert audit.status == AuditStatus.IN_MODERATION
    assert audit.moderation.reason == ModerationReason.RANDOM


def test_a_good_audit_by_an_experienced_auditor_not_drawn_is_not_moderated(world, tool, audit_a):
    old_hand(world, tool)
    settings = QASettings.current()
    settings.moderation_share = 0
    settings.save()
    audit = submit(audit_a)
    assert audit.status == AuditStatus.SUBMITTED
    assert not Moderation.objects.filter(audit=audit).exists()


@pytest.mark.parametrize(
    ("grade", "reason"),
    [(Grade.INADEQUATE, ModerationReason.INADEQUATE), (Grade.OUTSTANDING, ModerationReason.OUTSTANDING)],
)
def test_every_inadequate_and_outstanding_is_moderated(world, tool, audit_a, grade, reason):
    old_hand(world, tool)
    settings = QASettings.current()
    settings.moderation_share = 0
    settings.save()
    audit = submit(audit_a, grade=grade)
    assert audit.status == AuditStatus.IN_MODERATION
    assert audit.moderation.reason == reason


def test_a_new_auditors_first_three_audits_are_moderated_and_the_fourth_is_not(world, tool):
    settings = QASettings.current()
    settings.moderation_share = 0
    settings.save()
    auditor = world.people["team_manager_other"]
    audits = [allocate(world.case_a, auditor, version=tool, kind="ad_hoc") for _ in range(4)]
    for day, audit in enumerate(audits, start=1):
        submit(audit, on=datetime.date(2026, 11, day + 1))
    reasons = [Moderation.objects.filter(audit=a).values_list("reason", flat=True).first() for a in audits]
    assert reasons == [ModerationReason.NEW_AUDITOR] * 3 + [None]


def test_nothing_is_selected_twice(world, tool, audit_a):
    audit = submit(audit_a, grade=Grade.INADEQUATE)
    hooks.call(AUDIT_SUBMITTED_HOOK, audit=audit)
    assert Moderation.objects.filter(audit=audit).count() == 1
    with pytest.raises(svc.ModerationError, match="only moderated once"):
        svc.moderation_add_by_hand(audit=audit, actor=world.people["qa_officer"], reason="Check it")


def test_the_qa_team_adds_a_closed_audit_by_hand_with_a_reason(world, tool, audit_a):
    old_hand(world, tool)
    settings = QASettings.current()
    settings.moderation_share = 0
    settings.save()
    audit = submit(audit_a)
    audit.status = AuditStatus.CLOSED
    audit.save()
    with pytest.raises(svc.ModerationError, match="Enter why"):
        svc.moderation_add_by_hand(audit=audit, actor=world.people["qa_officer"], reason="  ")
    with pytest.raises(svc.ModerationError, match="QA team"):
        svc.moderation_add_by_hand(audit=audit, actor=world.people["team_manager_same"], reason="Check")
    moderation = svc.moderation_add_by_hand(
        audit=audit, actor=world.people["qa_officer"], reason="The grade looks generous"
    )
    audit.refresh_from_db()
    assert audit.status == AuditStatus.IN_MODERATION
    assert moderation.reason == ModerationReason.MANUAL
    assert moderation.manual_reason == "The grade looks generous"


def test_adding_by_hand_is_refused_after_thirty_days(world, tool, audit_a):
    old_hand(world, tool)
    settings = QASettings.current()
    settings.moderation_share = 0
    settings.save()
    audit = submit(audit_a, on=datetime.date(2026, 10, 10))
    with pytest.raises(svc.ModerationError, match="30 days"):
        svc.moderation_add_by_hand(audit=audit, actor=world.people["qa_officer"], reason="Check")
