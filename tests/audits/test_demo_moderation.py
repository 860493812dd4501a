"""The demo's moderation: several months of moderated audits with realistic disagreement, a
queue this month, one closed calibration exercise and auditors' training dates; added once."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import call_command

from audits.demo_moderation import seed_moderation
from audits.models import (
    DONE_STATUSES,
    Audit,
    AuditorTraining,
    AuditStatus,
    CalibrationExercise,
    ElementModeration,
    Grade,
    Moderation,
)
from organisation.models import Duty, DutyAssignment

TODAY = datetime.date(2026, 3, 2)


@pytest.fixture
def seeded(db) -> str:
    call_command("seed_demo", "--size", "tiny", "--today", TODAY.isoformat(), stdout=io.StringIO())
    return seed_moderation(size="tiny", today=TODAY)


def test_moderated_audits_with_both_agreement_and_disagreement(seeded):
    assert seeded.startswith("moderation: ")
    done = Moderation.objects.filter(status=Moderation.Status.DONE).select_related("audit")
    assert done.count() >= 10
    agreed = done.filter(overall_agrees=True)
    differed = done.filter(overall_agrees=False)
    assert agreed.exists()
    assert differed.exists()
    assert agreed.count() > differed.count()  # moderators mostly agree
    # Every difference has a reason; feedback goes to every auditor.
    assert not differed.filter(overall_reason="").exists()
    assert not done.filter(feedback="").exists()
    # The reported grade is the moderated one, marked as moderated, and a change is flagged.
    for moderation in done:
        audit = moderation.audit
        assert audit.moderated
        assert audit.reported_grade == moderation.moderated_grade
        assert audit.moderation_changed_grade == (not moderation.overall_agrees)
        assert moderation.moderator_id != audit.auditor_id
    changed = Audit.objects.filter(moderation_changed_grade=True)
    assert changed.filter(change_talked_through_at__isnull=False).exists()
    assert changed.filter(change_talked_through_at__isnull=True).count() == 1
    # Elements mostly agree, and each element difference has a reason.
    rows = ElementModeration.objects.filter(moderation__in=done)
    assert rows.filter(agrees=True).count() > rows.filter(agrees=False).count()
    assert not rows.filter(agrees=False, reason="").exists()
    # Moderation spans several months.
    assert len({m.audit.month for m in done}) >= 2


def test_selection_follows_the_rules(seeded):
    submitted = Audit.objects.filter(status__in=DONE_STATUSES).exclude(overall_grade="")
    extremes = submitted.filter(overall_grade__in=[Grade.INADEQUATE, Grade.OUTSTANDING])
    assert extremes.exists()
    assert not extremes.filter(moderation__isnull=True).exists()
    # Each auditor's first three audits are moderated.
    by_auditor: dict[int, list[Audit]] = {}
    for audit in submitted.order_by("submitted_at", "case_reference", "kind"):
        by_auditor.setdefault(audit.auditor_id, []).append(audit)
    for first in by_auditor.values():
        assert all(Moderation.objects.filter(audit=a).exists() for a in first[:3])


def test_a_queue_this_month_with_one_assigned(seeded):
    waiting = Moderation.objects.filter(status=Moderation.Status.WAITING).select_related("audit")
    assert waiting.count() >= 2
    assert all(m.audit.status == AuditStatus.IN_MODERATION for m in waiting)
    assert waiting.filter(moderator__isnull=False).count() == 1


def test_one_closed_calibration_exercise_and_training_dates(seeded):
    exercise = CalibrationExercise.objects.get()
    assert exercise.status == CalibrationExercise.Status.CLOSED
    assert exercise.responses.filter(submitted_at__isnull=False).count() == 4
    assert len({r.overall_grade for r in exercise.responses.all()}) >= 2  # a spread to talk about
    copy = json.dumps(exercise.anonymised)
    assert exercise.source_audit.case_reference not in copy
    assert exercise.source_audit.practitioner.full_name not in copy
    auditors = set(
        DutyAssignment.objects.active_on(TODAY).filter(duty=Duty.AUDITOR).values_list("person_id", flat=True)
    )
    assert auditors <= set(AuditorTraining.objects.values_list("person_id", flat=True))


def test_a_second_run_adds_nothing(seeded):
    counts = (
        Moderation.objects.count(),
        ElementModeration.objects.count(),
        CalibrationExercise.objects.count(),
        AuditorTraining.objects.count(),
    )
    grades = sorted(Audit.objects.values_list("pk", "reported_grade", "status"))
    again = seed_moderation(size="tiny", today=TODAY)
    assert again == "moderation: 0 moderated (0 grades changed), 0 waiting, 0 calibration exercise, 0 training dates"
    assert counts == (
        Moderation.objects.count(),
        ElementModeration.objects.count(),
        CalibrationExercise.objects.count(),
        AuditorTraining.objects.count(),
    )
    assert grades == sorted(Audit.objects.values_list("pk", "reported_grade", "status"))
