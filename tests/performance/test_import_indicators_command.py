"""``manage.py import_indicators FILE.csv``: files written to disk as BI would have them; every
problem printed by row and column with a non-zero exit, and nothing written."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from performance.models import Benchmark, FigureOfRecord

from .test_figures_import import benchmark, catalogue, csv_text, figure  # noqa: F401 (a fixture)
from .test_figures_pages import frozen_today  # noqa: F401 (a fixture)

# The clock is the tests' fixed day (15 June 2025); the catalogue's few indicators exist.
pytestmark = pytest.mark.usefixtures("frozen_today", "catalogue")


def run(path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_indicators", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path: Path, text: str, name: str = "figures.csv") -> Path:
    path = tmp_path / name
    # As Excel's "CSV UTF-8" writes it: with a byte-order mark.
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    return path


def test_a_clean_file_prints_what_it_added_and_replaced(tmp_path, world):
    path = write(tmp_path, csv_text([figure(), figure(scope="a1", value="40")]))
    out, _ = run(path)
    assert out.strip() == "Figures of record: added 2, replaced 0, unchanged 0."

    path = write(tmp_path, csv_text([figure(value="320"), figure(scope="a1", value="40")]))
    out, _ = run(path)
    assert out.strip() == "Figures of record: added 0, replaced 1, unchanged 1."
    assert FigureOfRecord.objects.get(scope_key="authority").value == Decimal("320")
    # The history says where a change came from when no person made it.
    assert FigureOfRecord.objects.get(scope_key="authority").history.latest().history_change_reason == (
        "import_indicators figures.csv"
    )


def test_a_file_with_problems_prints_each_and_exits_non_zero_writing_nothing(tmp_path, world):
    path = write(tmp_path, csv_text([figure(), figure(scope="zz9"), figure(value="-4", period_start="2025-5-01x")]))
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"^Refused: 3 problems; nothing was imported\.$"):
        call_command("import_indicators", str(path), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        "row 3, column scope: 'zz9' is not authority, a service-area code or a team code",
        "row 4, column period_start: '2025-5-01x' is not a date in the form YYYY-MM-DD or DD/MM/YYYY",
        "row 4, column value: -4 is negative: referrals cannot be below 0",
    ]
    assert not FigureOfRecord.objects.exists()


def test_the_command_exits_non_zero_from_the_shell(tmp_path, world):
    # call_command raises; run as a program, CommandError is exit status 1 (what a scheduled job sees).
    from django.core.management import ManagementUtility

    path = write(tmp_path, csv_text([figure(scope="zz9")]))
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "import_indicators", str(path)]).execute()
    assert exited.value.code == 1


def test_benchmarks_are_told_apart_by_the_header(tmp_path, world):
    out, _ = run(write(tmp_path, csv_text([benchmark(), benchmark(comparator="region", value="80")])))
    assert out.strip() == "Benchmarks: added 2, replaced 0, unchanged 0."
    assert Benchmark.objects.count() == 2


def test_a_dry_run_checks_and_writes_nothing(tmp_path, world):
    out, _ = run(write(tmp_path, csv_text([figure()])), "--dry-run")
    assert out.strip() == "Figures of record: would add 1, would replace 0, unchanged 0. Dry run: nothing was written."
    assert not FigureOfRecord.objects.exists()
    with pytest.raises(CommandError, match="Refused: 1 problem;"):
        run(write(tmp_path, csv_text([figure(indicator="nope")])), "--dry-run")


def test_warnings_are_printed_and_do_not_stop_the_import(tmp_path, world):
    _, err = run(write(tmp_path, csv_text([figure(indicator="assessments_in_45_days_pct", value="80")])))
    assert err.strip() == "warning: row 2, column denominator: is blank: the basket cannot show this percentage's n"
    assert FigureOfRecord.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "Cannot read"),
        ("indicator,scope\n".encode("utf-16-le"), "is not UTF-8 text"),
    ],
    ids=["missing file", "utf-16"],
)
def test_an_unreadable_file_is_refused(tmp_path, world, content, message):
    path = tmp_path / "figures.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run(path)
