"""Synthetic dip samples for the demo (seed 6.1.2): last month's round complete, this month's
round with a theme, every head of service, service manager and team manager given their sample,
some done, one practice observation instead, the rest to do.

Deterministic: the draw is the service's seeded draw, and every choice here comes from
``random.Random(f"demo-dip-samples:{size}:{today}")`` over samples ordered by the manager's
email. Idempotent: rounds are found by month, and only samples still to do are touched.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from organisation.models import Role, RoleAssignment

from .models import DipSample, DipSampleItem, DipSampleRound
from .services.dip_samples import (
    ItemAnswer,
    dip_sample_draw,
    dip_sample_mark_done,
    dip_sample_record_observation,
    dip_sample_round_create,
    dip_sample_save,
)
from .services.tools import tool_version_current

CHECKLIST_TOOL = "dip-sample-supervision"
THEMES = ("The quality of chronologies and case summaries", "Supervision and management oversight")
NOTES = {
    "met": ("Monthly reflective supervision, actions followed up.", "Clear management decision with reasons."),
    "partly_met": ("Supervision recorded but mostly task lists.", "Decision recorded; no timescale for actions."),
    "not_met": ("No supervision recorded for three months.", "No management oversight since the plan changed."),
}
OBSERVATIONS = ("Observed a home visit with the practitioner.", "Observed a child protection core group.")


def _at(day: datetime.date, hour: int = 11) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _previous_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def _complete(sample: DipSample, rng: random.Random, *, when: datetime.datetime, observation: bool, act: bool) -> str:
    """Decide (always, so the generator's sequence never depends on what exists) and, when
    ``act`` and the sample is still to do, record it."""
    items = list(DipSampleItem.objects.filter(sample=sample).order_by("position"))
    results = [rng.choices(("met", "partly_met", "not_met"), weights=(5, 3, 2))[0] for _ in items]
    notes = [rng.choice(NOTES[r]) for r in results]
    note = rng.choice(OBSERVATIONS)
    if not act or sample.status != DipSample.Status.DRAWN:
        return "skipped"
    if observation or not items:
        dip_sample_record_observation(sample=sample, note=note, actor=sample.manager, now=when)
        return "observation"
    answers = [ItemAnswer(i.pk, r, n, i.version) for i, r, n in zip(items, results, notes, strict=True)]
    dip_sample_save(sample=sample, answers=answers, actor=sample.manager)
    dip_sample_mark_done(sample=sample, actor=sample.manager, now=when)
    return "done"


def seed_dip_samples(*, size: str, today: datetime.date) -> str:
    """Seed the demo's dip samples for ``size`` and ``today``; returns a one-line summary."""
    checklist = tool_version_current(tool_key=CHECKLIST_TOOL)
    if checklist is None:
        return "Dip samples: skipped (no dip-sample checklist is loaded; run load_framework first)."
    qa = (
        RoleAssignment.objects.active_on(today)
        .filter(role__in=(Role.QA_MANAGER, Role.QA_OFFICER), person__is_active=True)
        .select_related("person")
        .order_by("person__email")
        .first()
    )
    if qa is None:
        return "Dip samples: skipped (no QA officer or manager in the demo)."
    rng = random.Random(f"demo-dip-samples:{size}:{today}")
    last, this = _previous_month(today), today.replace(day=1)
    with transaction.atomic():
        rounds = []
        for month, theme in zip((last, this), THEMES, strict=True):
            round_ = DipSampleRound.objects.filter(month=month).first()
            if round_ is None:
                # Last month's round is set as it was then: drawn over last month's teams.
                drawn_on = last if month == last else today
                round_ = dip_sample_round_create(
                    month=month, theme=theme, checklist=checklist, actor=qa.person, today=drawn_on
                )
            else:
                dip_sample_draw(round=round_, today=month if month == last else today)
            rounds.append(round_)
        last_round, this_round = rounds
        due_last = last_round.samples.order_by().values_list("due_on", flat=True).first() or today
        samples = list(last_round.samples.select_related("manager").order_by("manager__email"))
        for index, sample in enumerate(samples):
            # Most on time; every fifth a few days late, so progress shows lateness too.
            late = index % 5 == 4
            day = min(today, due_last + datetime.timedelta(days=3)) if late else due_last - datetime.timedelta(days=2)
            when = _at(day)
            _complete(sample, rng, when=when, observation=index % 7 == 3, act=True)
        samples = list(this_round.samples.select_related("manager").order_by("manager__email"))
        for index, sample in enumerate(samples):
            # About two in five done already; exactly one practice observation instead.
            _complete(sample, rng, when=_at(today, 9), observation=index == 1, act=index % 5 in (0, 1))
    counts = {
        r.month: (
            r.samples.count(),
            r.samples.filter(status=DipSample.Status.DONE).count(),
            r.samples.filter(status=DipSample.Status.OBSERVATION).count(),
        )
        for r in rounds
    }
    (n1, d1, o1), (n2, d2, o2) = counts[last], counts[this]
    return (
        f"Dip samples: {last:%B %Y} {n1} ({d1} done, {o1} observation instead); "
        f"{this:%B %Y} {n2} ({d2} done, {o2} observation instead, {n2 - d2 - o2} to do)."
    )
