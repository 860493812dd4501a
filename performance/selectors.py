"""Reads of the indicator catalogue and the authority's population, for every performance page.

The catalogue is small (tens of rows) and not scoped: everyone who reads performance data reads
the same definitions. Rates per 10,000 children use the authority's 0–17 population for the
year and are shown at authority level only (DESIGN section 7).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .models import Basket, Indicator, IndicatorType, Population

# A rate whose unit names this is per 10,000 children aged 0–17 (sickness days per FTE is not).
POPULATION_UNIT_MARK = "10,000"
PER = Decimal(10_000)
RATE_PLACES = Decimal("0.1")


def is_rate_per_10000(*, type: str, unit: str) -> bool:
    """True for a rate per 10,000 children, which needs the population and is authority-only."""
    return type == IndicatorType.RATE and POPULATION_UNIT_MARK in unit


def indicators_active() -> list[Indicator]:
    """Every active indicator, in catalogue order (one query)."""
    return list(Indicator.objects.filter(active=True).order_by("position", "code"))


def indicators_for_basket(basket: str, *, indicators: list[Indicator] | None = None) -> list[Indicator]:
    """The active indicators in one basket, in catalogue order. An indicator may sit in two
    baskets. (Filtered in Python: JSON ``contains`` is not available on SQLite, and the
    catalogue is small.) Pass ``indicators`` to reuse rows already read."""
    rows = indicators_active() if indicators is None else indicators
    return [indicator for indicator in rows if basket in indicator.baskets]


@dataclass(frozen=True)
class BasketGroup:
    basket: str
    label: str
    indicators: list[Indicator]


def catalogue_by_basket() -> list[BasketGroup]:
    """The catalogue grouped by basket, baskets in their defined order (one query)."""
    rows = indicators_active()
    groups = [
        BasketGroup(value, label, indicators_for_basket(value, indicators=rows)) for value, label in Basket.choices
    ]
    return [group for group in groups if group.indicators]


def indicator_by_code(code: str) -> Indicator | None:
    return Indicator.objects.filter(code=code).first()


def population_for(year: int) -> Population | None:
    """The authority's 0–17 population for a year, or None when nobody has entered it."""
    return Population.objects.filter(year=year).first()


def population_by_year() -> dict[int, int]:
    """Every year's 0–17 population (one query), for pages that work out many rates."""
    return dict(Population.objects.order_by("year").values_list("year", "aged_0_to_17"))


def rate_per_10000(
    value: Decimal | int | None, year: int, *, populations: Mapping[int, int] | None = None
) -> Decimal | None:
    """``value`` per 10,000 children aged 0–17 in ``year``, to one decimal place; None when
    there is no value or no population for the year (the page then says "no population for
    <year>"). Pages working out several rates pass ``populations`` (:func:`population_by_year`)
    so the count of queries does not grow with the number of months."""
    if value is None:
        return None
    if populations is None:
        row = population_for(year)
        population = row.aged_0_to_17 if row else None
    else:
        population = populations.get(year)
    if not population:
        return None
    return (Decimal(value) * PER / Decimal(population)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def populations_listed() -> list[Population]:
    """Every year's population, latest first, with who last changed it."""
    return list(Population.objects.select_related("updated_by").order_by("-year"))
