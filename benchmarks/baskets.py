"""Benchmark: a basket page at the scale of the largest authorities.

A standalone script (``make bench`` runs ``python benchmarks/baskets.py``): it sets Django up on a
throwaway SQLite file under .cache/, loads the indicator catalogue, then bulk-creates a synthetic
authority of 8 service areas and 48 teams with five years of monthly figures of record for every
indicator at every scope it may have (about 90,000 rows), app estimates for the Annex A measures,
benchmarks, and 200,000 merged Annex A events (the size of a large authority's workbook; the page
does not read them, but they are in the tables it does read beside). It then times the basket page
server-side with the test client and prints the median of 10 runs. Target: under 100 ms.

Charts are drawn once per process and then served from memory (core.charts), so the first request
(which draws every chart of the page) is printed on its own.
"""

from __future__ import annotations

import datetime
import io
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_env import bench_database

DB = bench_database("baskets")

AREAS = 8
TEAMS_PER_AREA = 6
MONTHS = 60
ANNEX_A_EVENTS = 200_000
RUNS = 10
LATEST = datetime.date(2026, 10, 1)
TARGET_MS = 100


def build() -> dict[str, object]:
    from django.core.management import call_command
    from django.db import connection, transaction

    DB.parent.mkdir(exist_ok=True)
    DB.unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    call_command("load_framework", stdout=io.StringIO())
    with connection.cursor() as cursor:
        # A throwaway file: no need to wait for the disk on every batch.
        cursor.execute("PRAGMA synchronous=OFF")
    with transaction.atomic():
        return _bulk_data()


def _bulk_data() -> dict[str, object]:
    import random

    from organisation.models import Role, RoleAssignment, ServiceArea, Team, User
    from performance.estimates import add_months, month_end
    from performance.models import (
        AnnexAEvent,
        AnnexASnapshot,
        Benchmark,
        Comparator,
        Estimate,
        FigureOfRecord,
        Indicator,
        IndicatorType,
        Population,
    )

    rng = random.Random("bench-baskets")
    areas = ServiceArea.objects.bulk_create(
        ServiceArea(code=f"area-{i}", name=f"Service area {i:02d}") for i in range(AREAS)
    )
    teams = Team.objects.bulk_create(
        Team(code=f"team-{a}-{t}", name=f"Team {a:02d}-{t}", service_area=area)
        for a, area in enumerate(areas)
        for t in range(TEAMS_PER_AREA)
    )
    scopes = [("authority", "authority"), *((f"area:{a.code}", "area") for a in areas)]
    scopes += [(f"team:{t.code}", "team") for t in teams]
    level = {"team": 0, "area": 1, "authority": 2}
    indicators = list(Indicator.objects.filter(active=True).exclude(type=IndicatorType.NARRATIVE).order_by("pk"))
    figures: list[FigureOfRecord] = []
    estimates: list[Estimate] = []
    for indicator in indicators:
        for key, kind in scopes:
            if level[kind] < level[indicator.lowest_scope]:
                continue
            size = {"authority": 400, "area": 60, "team": 12}[kind]
            for n in range(MONTHS):
                month = add_months(LATEST, -n)
                if indicator.type == IndicatorType.PERCENTAGE:
                    denominator = Decimal(max(1, int(size * rng.uniform(0.6, 1.4))))
                    numerator = Decimal(int(denominator * Decimal(rng.uniform(0.5, 0.95))))
                    value = (numerator * 100 / denominator).quantize(Decimal("0.1"))
                else:
                    numerator = denominator = None
                    value = Decimal(int(size * rng.uniform(0.7, 1.3)))
                common = {
                    "indicator": indicator,
                    "scope_key": key,
                    "period_start": month,
                    "period_end": month_end(month),
                    "value": value,
                    "numerator": numerator,
                    "denominator": denominator,
                }
                figures.append(FigureOfRecord(**common))
                if indicator.estimate_key:
                    estimates.append(Estimate(**{**common, "value": value + rng.choice((-2, -1, 0, 1, 2))}))
    FigureOfRecord.objects.bulk_create(figures, batch_size=5000)
    Estimate.objects.bulk_create(estimates, batch_size=5000)
    Benchmark.objects.bulk_create(
        Benchmark(
            indicator=indicator,
            comparator=comparator,
            period_start=datetime.date(year, 4, 1),
            period_end=datetime.date(year + 1, 3, 31),
            value=Decimal(rng.randint(10, 90)),
        )
        for indicator in indicators
        for comparator in (Comparator.STATISTICAL_NEIGHBOURS, Comparator.ENGLAND)
        for year in range(2020, 2026)
    )
    Population.objects.bulk_create(Population(year=y, aged_0_to_17=53_000 + y) for y in range(2020, 2027))
    snapshot = AnnexASnapshot.objects.create(
        file_name="bench.xlsx", sha256="0" * 64, extracted_on=month_end(LATEST), rows_read=ANNEX_A_EVENTS
    )
    first = add_months(LATEST, -(MONTHS - 1))
    span = (month_end(LATEST) - first).days
    AnnexAEvent.objects.bulk_create(
        (
            AnnexAEvent(
                list_number=1 + i % 9,
                child_id=f"C{i // 3:06d}",
                event_date=first + datetime.timedelta(days=(i * 7919) % span),
                codes={"team": teams[i % len(teams)].code},
                team=teams[i % len(teams)],
                first_snapshot=snapshot,
                last_snapshot=snapshot,
            )
            for i in range(ANNEX_A_EVENTS)
        ),
        batch_size=10_000,
    )
    manager = User.objects.create(email="tm@example.test", full_name="Team Manager", password="!")  # noqa: S106
    RoleAssignment.objects.create(
        person=manager, role=Role.TEAM_MANAGER, team=teams[0], starts_on=datetime.date(2020, 1, 1)
    )
    director = User.objects.create(email="director@example.test", full_name="Director", password="!")  # noqa: S106
    RoleAssignment.objects.create(person=director, role=Role.DIRECTOR, starts_on=datetime.date(2020, 1, 1))
    return {"manager": manager, "director": director, "figures": len(figures), "estimates": len(estimates)}


def _time(client: object, url: str, params: dict[str, str]) -> tuple[float, float]:
    began = time.perf_counter()
    response = client.get(url, params)
    cold = time.perf_counter() - began
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        client.get(url, params)
        times.append(time.perf_counter() - began)
    return cold, statistics.median(times)


def main() -> None:
    import django

    django.setup()
    from django.test import Client
    from django.urls import reverse

    began = time.perf_counter()
    built = build()
    print(
        f"baskets: {AREAS} service areas, {AREAS * TEAMS_PER_AREA} teams, {MONTHS} months; "
        f"{built['figures']:,} figures of record, {built['estimates']:,} estimates, "
        f"{ANNEX_A_EVENTS:,} Annex A events (built in {time.perf_counter() - began:.1f} s)"
    )
    cases = (
        ("manager", "front_door", {}),
        ("director", "front_door", {"scope": "authority"}),
        ("director", "child_protection", {"scope": "area:area-0"}),
        ("director", "workforce", {"scope": "authority"}),
    )
    worst = 0.0
    for who, basket, params in cases:
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(built[who])
        cold, median = _time(client, reverse("performance:basket", args=[basket]), params)
        worst = max(worst, median)
        where = params.get("scope", "their team")
        print(
            f"  {basket} basket, {who} ({where}): median {median * 1000:.0f} ms over {RUNS} runs "
            f"(first request, drawing the charts: {cold * 1000:.0f} ms)"
        )
    verdict = "within" if worst * 1000 < TARGET_MS else "OVER"
    print(f"  slowest basket median {worst * 1000:.0f} ms: {verdict} the {TARGET_MS} ms target")


if __name__ == "__main__":
    main()
