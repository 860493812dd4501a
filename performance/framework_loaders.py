"""Loader for the indicator catalogue (framework content: example data a council replaces).

A file row becomes an Indicator only when its code is new: BI and the QA team may since have
edited a loaded indicator's target, owner or brief, and a new version of the file must never
undo that (STYLE.md 18).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from simple_history.utils import bulk_create_with_history

from core import hooks
from core.framework import (
    LOADER_HOOK,
    SLUG,
    FrameworkContent,
    FrameworkError,
    list_of_dicts,
    max_length,
    text_value,
)
from core.models import FrameworkFile

from .models import Basket, Direction, Indicator, IndicatorType, Source
from .selectors import is_rate_per_10000

TEXT_FIELDS = ("name", "brief", "seed_measure", "owner", "unit", "numerator", "denominator", "period_rule")
REQUIRED_TEXT = frozenset({"name", "brief", "period_rule"})
FLAGS = ("demand_measure", "target_allowed")
ITEM_FIELDS = frozenset(
    {
        "code",
        *TEXT_FIELDS,
        "sources",
        "type",
        "baskets",
        *FLAGS,
        "direction",
        "target",
        "lowest_scope",
        "estimate_key",
        "position",
    }
)
LOWEST_SCOPES = frozenset(value for value, _ in Indicator._meta.get_field("lowest_scope").choices)
# A ratio needs both parts of its definition; a count or a narrative has no denominator.
RATIO_TYPES = frozenset({IndicatorType.PERCENTAGE, IndicatorType.RATE})
BRIEF_MAX = 2000


def _text_limit(name: str) -> int:
    return BRIEF_MAX if name == "brief" else max_length(Indicator, name)


def _choice_list_problems(value: Any, *, what: str, allowed: frozenset[str]) -> list[str]:
    if (
        not isinstance(value, list)
        or not value
        or any(not isinstance(v, str) or v not in allowed for v in value)
        or len(set(value)) != len(value)
    ):
        return [f"{what} must be a list of different values from: {', '.join(sorted(allowed))}"]
    return []


def _target(value: Any, *, what: str) -> tuple[Decimal | None, list[str]]:
    if value is None:
        return None, []
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None, [f"{what}: 'target' must be a number"]
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None, [f"{what}: 'target' must be a number"]
    if not number.is_finite() or number < 0:
        return None, [f"{what}: 'target' must be a number from 0"]
    return number, []


def indicator_item_problems(item: dict[str, Any], *, what: str) -> list[str]:
    """Everything wrong with one catalogue row (the rules the model's constraints and the
    framework's definitions ask for), so one run of the loader lists them all."""
    problems = [f"{what}: unknown field {name!r}" for name in sorted(set(item) - ITEM_FIELDS)]
    for name in TEXT_FIELDS:
        problems += text_value(
            item.get(name), what=f"{what} {name}", limit=_text_limit(name), required=name in REQUIRED_TEXT
        )[1]
    kind = item.get("type")
    if kind not in IndicatorType.values:
        problems.append(f"{what}: 'type' must be one of: {', '.join(IndicatorType.values)}")
    sources = item.get("sources")
    problems += _choice_list_problems(sources, what=f"{what}: 'sources'", allowed=frozenset(Source.values))
    if isinstance(sources, list) and Source.LOCAL in sources and not str(item.get("owner") or "").strip():
        problems.append(f"{what}: a local measure needs a named 'owner'")
    problems += _choice_list_problems(item.get("baskets"), what=f"{what}: 'baskets'", allowed=frozenset(Basket.values))
    for flag in FLAGS:
        if not isinstance(item.get(flag, False), bool):
            problems.append(f"{what}: '{flag}' must be true or false")
    demand, target_allowed = item.get("demand_measure") is True, item.get("target_allowed") is True
    if demand and target_allowed:
        problems.append(f"{what}: a demand or threshold measure takes no target ('target_allowed' must be false)")
    direction = item.get("direction") or ""
    if target_allowed and direction not in Direction.values:
        problems.append(f"{what}: a measure that takes a target needs a 'direction' ({', '.join(Direction.values)})")
    if not target_allowed and direction:
        problems.append(f"{what}: only a measure that takes a target has a 'direction'")
    target, target_problems = _target(item.get("target"), what=what)
    problems += target_problems
    if target is not None and not target_allowed:
        problems.append(f"{what}: only a timeliness or compliance measure ('target_allowed') has a target")
    if target is not None and kind == IndicatorType.PERCENTAGE and target > 100:
        problems.append(f"{what}: a percentage's target is at most 100")
    if kind in RATIO_TYPES and not (str(item.get("numerator") or "").strip() and str(item.get("denominator") or "")):
        problems.append(f"{what}: a {kind} needs a 'numerator' and a 'denominator'")
    lowest = item.get("lowest_scope", "team")
    if lowest not in LOWEST_SCOPES:
        problems.append(f"{what}: 'lowest_scope' must be one of: {', '.join(sorted(LOWEST_SCOPES))}")
    if is_rate_per_10000(type=str(kind), unit=str(item.get("unit") or "")) and lowest != "authority":
        # DESIGN 7: no rate per 10,000 below the authority, as there is no population for a team.
        problems.append(f"{what}: a rate per 10,000 children is shown at authority level only ('lowest_scope')")
    estimate_key = item.get("estimate_key") or ""
    if not isinstance(estimate_key, str) or (estimate_key and not SLUG.match(estimate_key)):
        problems.append(f"{what}: 'estimate_key' must be a slug")
    position = item.get("position", 0)
    if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position <= 32767:
        problems.append(f"{what}: 'position' must be a whole number from 0")
    return problems


def _indicator(item: dict[str, Any]) -> Indicator:
    texts = {name: str(item.get(name) or "").strip() for name in TEXT_FIELDS}
    return Indicator(
        code=item["code"],
        **texts,
        sources=list(item["sources"]),
        type=item["type"],
        baskets=list(item["baskets"]),
        demand_measure=item.get("demand_measure", False),
        target_allowed=item.get("target_allowed", False),
        target=_target(item.get("target"), what="")[0],
        direction=item.get("direction") or "",
        lowest_scope=item.get("lowest_scope", "team"),
        estimate_key=item.get("estimate_key") or "",
        position=item.get("position", 0),
        local=False,
        example_content=True,
    )


def indicators_load(*, content: FrameworkContent, framework_file: FrameworkFile) -> int:
    """Insert the indicators whose code is not in the catalogue yet; never change one that is."""
    items = list_of_dicts(content.data, what="indicators with 'code', 'name', 'brief', 'type', 'sources', ...")
    problems: list[str] = []
    codes = [item.get("code") for item in items]
    code_max = max_length(Indicator, "code")
    for index, item in enumerate(items, start=1):
        code = item.get("code")
        if not isinstance(code, str) or not SLUG.match(code) or len(code) > code_max:
            problems.append(f"indicator {index}: 'code' must be a slug of at most {code_max} characters")
        problems += indicator_item_problems(item, what=f"indicator {code or index}")
    duplicated = sorted({str(code) for code in codes if codes.count(code) > 1})
    if duplicated:
        problems.append(f"each code may be listed once: {', '.join(duplicated)}")
    if problems:
        raise FrameworkError(problems)
    present = set(Indicator.objects.filter(code__in=codes).values_list("code", flat=True))
    new = [_indicator(item) for item in items if item["code"] not in present]
    bulk_create_with_history(new, Indicator)
    return len(new)


def register() -> None:
    hooks.register(LOADER_HOOK.format(kind="indicators"), indicators_load)
