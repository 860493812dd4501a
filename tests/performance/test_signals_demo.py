"""The demo's signals: built on the demo's figures of record and Annex A estimates, with signals to
look at, confirmed (one with an ad-hoc audit) and dismissed; the same again adds nothing."""

from __future__ import annotations

import datetime
import io

from django.core.management import call_command

from audits.models import ProgrammeAudit
from organisation.demo import DEMO_EMAIL
from organisation.models import Role
from performance.demo_annex_a import seed_annex_a
from performance.demo_figures import seed_figures
from performance.demo_population import seed_population
from performance.demo_signals import seed_signals
from performance.models import Baseline, SeriesKind, Signal

TODAY = datetime.date(2026, 3, 10)


def _state() -> tuple[list[tuple], list[tuple], int, int, int]:
    signals = list(Signal.objects.order_by("pk").values_list("pk", "status", "note", "programme_audit_id", "value"))
    baselines = list(Baseline.objects.order_by("pk").values_list("pk", "first_month", "last_month", "upper_limit"))
    return signals, baselines, Signal.history.count(), Baseline.history.count(), ProgrammeAudit.objects.count()


def test_the_demo_has_signals_in_every_state_and_seeding_again_adds_nothing(db):
    call_command("seed_demo", size="tiny", today=TODAY, stdout=io.StringIO())
    for seed in (seed_population, seed_figures, seed_annex_a):
        seed(size="tiny", today=TODAY)
    summary = seed_signals(size="tiny", today=TODAY)
    statuses = set(Signal.objects.values_list("status", flat=True))
    assert statuses == {Signal.Status.NEW, Signal.Status.CONFIRMED, Signal.Status.DISMISSED}
    assert not Signal.objects.filter(scope_key__startswith="team:").exists()
    assert Signal.objects.filter(series=SeriesKind.ESTIMATE).exists()

    # The rise in referrals the demo's figures carry stands out against BI's baseline before it.
    baseline = Baseline.objects.get(indicator__code="referrals", scope_key="authority", series=SeriesKind.RECORD)
    assert (baseline.points, baseline.set_by.email) == (15, DEMO_EMAIL[Role.BI_OFFICER])
    opened = Signal.objects.get(programme_audit__isnull=False)
    assert (opened.indicator.code, opened.scope_key, opened.status) == ("referrals", "authority", "confirmed")
    assert opened.programme_audit.reason == ProgrammeAudit.Reason.SIGNAL
    assert Signal.objects.get(status=Signal.Status.DISMISSED).note
    assert summary.startswith("Signals: ")
    assert "1 ad-hoc audit opened" in summary

    before = _state()
    assert seed_signals(size="tiny", today=TODAY) == summary
    assert _state() == before
