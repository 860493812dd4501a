"""Matrix entries for the dip-sample pages: the QA team's themes, a manager's sample, their own
list and the summary per theme and team."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from audits.models import DipSample, DipSampleRound
from audits.services.dip_samples import dip_sample_round_create
from tests.matrix import QA_TEAM, Entry, each

from .matrix_lists import LISTERS
from .test_dip_samples import dip_checklist

# team_manager_same's sample (team A1) is seen by them, the line above team A1 and the
# whole-authority roles; only they may change it.
SAMPLE_LINE = ("service_manager_same", "head_of_service", "assistant_director", "director", *QA_TEAM)


def _sample_of_tm_same(world: Any) -> dict[str, Any]:
    today = timezone.localdate()
    round_ = DipSampleRound.objects.filter(month=today.replace(day=1)).first() or dip_sample_round_create(
        month=today, theme="Supervision", checklist=dip_checklist(), actor=world.people["qa_officer"], today=today
    )
    return {"sample_id": DipSample.objects.get(round=round_, manager=world.people["team_manager_same"]).pk}


ENTRIES = {
    # The QA team sets the month's theme; an empty form is shown again with its errors.
    "audits:dip-sample-rounds": (Entry({"default": (403, 403), **each(QA_TEAM, (200, 200))}),),
    # Everyone signed in has the list of their own samples (often empty); it only shows.
    "audits:my-dip-samples": (Entry({"default": (200, 405)}),),
    # Managers and the whole-service roles, within their teams; GET only.
    "audits:dip-sample-summary": (Entry({"default": (403, 405), **each(LISTERS, (200, 405))}),),
    # Someone else's sample answers 404; the line above reads it (403 on POST); the manager
    # saves (an empty save changes nothing and goes back to the page).
    "audits:dip-sample": (
        Entry(
            {"default": (404, 404), **each(SAMPLE_LINE, (200, 403)), "team_manager_same": (200, 302)},
            kwargs=_sample_of_tm_same,
        ),
    ),
}
