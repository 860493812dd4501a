"""Sample criteria for thematic and ad-hoc audits, over open AND closed case files (seed 6.1.3, 6.1.4).

Criteria are stored in ``ProgrammeAudit.criteria`` (JSON), every key optional:

- ``case_types``: list of case types;
- ``legal_status_contains``: text the legal status contains (any case);
- ``team_ids`` / ``service_area_ids``: lists of ids (a case in any of them);
- ``opened_from`` / ``opened_to``: ISO dates the case was opened between (inclusive);
- ``open_state``: ``"any"`` (default), ``"open"`` or ``"closed"``;
- ``closed_from`` / ``closed_to``: ISO dates the case was closed between (implies closed);
- ``previous_audits``: ``"any"`` (default), ``"none_recent"`` (no audit in the last
  ``previous_months`` months) or ``"at_least_one"`` (at least one audit, ever);
- ``previous_months``: whole months, for ``none_recent``.

The drawn sample is kept under ``sampled`` (case-file ids, in draw order).
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from organisation.models import CaseFile
from organisation.scope import Scope, scope_for

from ..models import Audit, AuditStatus, ProgrammeAudit

SAMPLED_KEY = "sampled"


class SamplingError(Exception):
    """A draw the rules refuse; the message says why."""


def _date(value: Any) -> datetime.date | None:
    if not value:
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` calendar months earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - 28 always exists


def cases_matching(
    criteria: dict[str, Any], *, scope_for_qa: Scope, today: datetime.date | None = None
) -> QuerySet[CaseFile]:
    """The case files (open and closed) in the QA person's scope that meet ``criteria``."""
    day = today or scope_for_qa.today
    qs = scope_for_qa.case_files()
    if criteria.get("case_types"):
        qs = qs.filter(case_type__in=list(criteria["case_types"]))
    if criteria.get("legal_status_contains"):
        qs = qs.filter(legal_status__icontains=str(criteria["legal_status_contains"]).strip())
    team_ids = [int(t) for t in criteria.get("team_ids") or []]
    area_ids = [int(a) for a in criteria.get("service_area_ids") or []]
    if team_ids and area_ids:
        qs = qs.filter(team_id__in=team_ids) | qs.filter(team__service_area_id__in=area_ids)
    elif team_ids:
        qs = qs.filter(team_id__in=team_ids)
    elif area_ids:
        qs = qs.filter(team__service_area_id__in=area_ids)
    if opened_from := _date(criteria.get("opened_from")):
        qs = qs.filter(opened_on__gte=opened_from)
    if opened_to := _date(criteria.get("opened_to")):
        qs = qs.filter(opened_on__lte=opened_to)
    state = criteria.get("open_state") or "any"
    if state == "open":
        qs = qs.filter(closed_on__isnull=True)
    elif state == "closed":
        qs = qs.filter(closed_on__isnull=False)
    if closed_from := _date(criteria.get("closed_from")):
        qs = qs.filter(closed_on__gte=closed_from)
    if closed_to := _date(criteria.get("closed_to")):
        qs = qs.filter(closed_on__lte=closed_to)
    previous = criteria.get("previous_audits") or "any"
    live = Audit.objects.filter(case_file_id=OuterRef("pk")).exclude(status=AuditStatus.CANCELLED)
    if previous == "none_recent":
        months = int(criteria.get("previous_months") or 6)
        since = months_before(day, months)
        qs = qs.exclude(Exists(live.filter(allocated_at__date__gte=since)))
    elif previous == "at_least_one":
        qs = qs.filter(Exists(live))
    return qs.order_by("case_reference")


def sampled_case_ids(programme: ProgrammeAudit) -> list[int]:
    return [int(pk) for pk in (programme.criteria or {}).get(SAMPLED_KEY, [])]


def sampled_cases(programme: ProgrammeAudit) -> list[CaseFile]:
    """The sampled case files, in draw order."""
    ids = sampled_case_ids(programme)
    by_id = CaseFile.objects.select_related("team__service_area", "practitioner").in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


@transaction.atomic
def sample_draw(*, programme: ProgrammeAudit, today: datetime.date | None = None, actor: Any = None) -> list[int]:
    """Draw the programme's sample: ``sample_size`` cases at random from those matching its criteria
    (in its creator's scope), seeded from the programme so the same inputs give the same draw.

    Idempotent: once a sample is drawn, drawing again adds nothing and returns ``[]``. Returns the
    ids of the case files added.
    """
    day = today or timezone.localdate()
    locked = ProgrammeAudit.objects.select_for_update().get(pk=programme.pk)
    if sampled_case_ids(locked):
        return []
    scope = scope_for(locked.created_by, today=day)
    candidates = list(cases_matching(locked.criteria or {}, scope_for_qa=scope, today=day).values_list("pk", flat=True))
    if not candidates:
        raise SamplingError("No case files match these criteria, so there is nothing to draw.")
    rng = random.Random(f"programme:{locked.pk}")
    chosen = rng.sample(candidates, min(locked.sample_size, len(candidates)))
    criteria = dict(locked.criteria or {})
    criteria[SAMPLED_KEY] = chosen
    locked.criteria = criteria
    locked._history_user = actor or locked.created_by
    if locked.status == ProgrammeAudit.Status.PLANNING:
        locked.status = ProgrammeAudit.Status.SAMPLED
    locked.save(update_fields=["criteria", "status"])
    programme.criteria = locked.criteria
    programme.status = locked.status
    return chosen
