"""load_framework: framework content loaded from versioned files, never changed once loaded."""

import datetime
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from core import workdays
from core.framework import framework_load
from core.models import BankHoliday, FrameworkFile

D = datetime.date
COMMITTED_FILE = Path(__file__).resolve().parents[2] / "core" / "framework" / "bank-holidays-england-and-wales.v1.json"


@pytest.fixture(autouse=True)
def _fresh_holiday_cache():
    workdays.clear_cache()
    yield
    workdays.clear_cache()


def holidays_file(folder: Path, name: str = "holidays.v1.json", version: str = "1", **overrides) -> Path:
    document = {
        "key": "test-holidays",
        "version": version,
        "kind": "bank_holidays",
        "title": "Test holidays",
        "data": [
            {"date": "2031-12-25", "name": "Christmas Day"},
            {"date": "2031-12-26", "name": "Boxing Day"},
        ],
        **overrides,
    }
    path = folder / name
    path.write_text(json.dumps(document, indent=2))
    return path


def load(*args: str) -> str:
    out = io.StringIO()
    call_command("load_framework", *args, stdout=out)
    return out.getvalue()


def test_loads_the_committed_bank_holidays_once_and_a_second_run_changes_nothing(db):
    first = load()
    assert "core/framework/bank-holidays-england-and-wales.v1.json: loaded" in first
    assert BankHoliday.objects.filter(date=D(2026, 12, 28)).exists()  # Boxing Day substitute
    loaded = FrameworkFile.objects.get(key="bank-holidays-england-and-wales", version="1")
    assert loaded.source == "core/framework/bank-holidays-england-and-wales.v1.json"
    assert len(loaded.sha256) == 64
    holidays = BankHoliday.objects.count()

    second = load()

    assert "already loaded" in second
    assert "Nothing new to load" in second
    assert BankHoliday.objects.count() == holidays
    assert FrameworkFile.objects.filter(key="bank-holidays-england-and-wales").count() == 1
    assert FrameworkFile.objects.get(key="bank-holidays-england-and-wales").loaded_at == loaded.loaded_at


def test_the_committed_file_covers_2015_to_2035_with_weekday_bank_holidays_only():
    document = json.loads(COMMITTED_FILE.read_text())
    days = {D.fromisoformat(item["date"]): item["name"] for item in document["data"]}
    assert (document["key"], document["version"], document["kind"]) == (
        "bank-holidays-england-and-wales",
        "1",
        "bank_holidays",
    )
    assert min(days).year == 2015
    assert max(days).year == 2035
    assert all(day.weekday() < 5 for day in days)
    # One-off and moved holidays an out-of-date list would miss.
    assert D(2020, 5, 8) in days  # early May bank holiday moved for VE Day
    assert D(2022, 6, 3) in days  # Platinum Jubilee
    assert D(2022, 9, 19) in days  # State Funeral
    assert D(2023, 5, 8) in days  # Coronation
    assert days[D(2026, 12, 28)] == "Boxing Day (substitute day)"
    assert {D(2026, 4, 3), D(2026, 4, 6), D(2026, 8, 31)} <= set(days)


def test_changed_content_under_a_loaded_version_is_refused_and_nothing_changes(db, tmp_path):
    path = holidays_file(tmp_path)
    load("--dir", str(tmp_path))
    holidays_file(tmp_path, data=[{"date": "2031-12-25", "name": "Renamed day"}])

    with pytest.raises(CommandError) as refused:
        load("--dir", str(tmp_path))

    message = str(refused.value)
    assert path.name in message
    assert "new version" in message
    assert BankHoliday.objects.get(date=D(2031, 12, 25)).name == "Christmas Day"
    assert BankHoliday.objects.filter(date=D(2031, 12, 26)).exists()


def test_a_new_version_loads_alongside_and_never_changes_rows_already_loaded(db, tmp_path):
    holidays_file(tmp_path)
    load("--dir", str(tmp_path))
    holidays_file(
        tmp_path,
        name="holidays.v2.json",
        version="2",
        data=[{"date": "2031-12-25", "name": "Renamed day"}, {"date": "2032-01-01", "name": "New Year's Day"}],
    )

    output = load("--dir", str(tmp_path))

    assert "holidays.v1.json: already loaded" in output
    assert "holidays.v2.json: loaded test-holidays v2" in output
    assert sorted(FrameworkFile.objects.values_list("version", flat=True)) == ["1", "2"]
    assert BankHoliday.objects.get(date=D(2031, 12, 25)).name == "Christmas Day"
    assert BankHoliday.objects.filter(date=D(2032, 1, 1)).exists()


def test_reformatting_a_loaded_file_is_not_a_change(db, tmp_path):
    path = holidays_file(tmp_path)
    load("--dir", str(tmp_path))
    path.write_text(json.dumps(json.loads(path.read_text()), indent=None))

    assert "already loaded" in load("--dir", str(tmp_path))


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"key": "x", "version": "1", "kind": "bank_holidays", "title": "X", "data": [', "is not valid JSON"),
        ('{"version": "1", "kind": "bank_holidays", "title": "X", "data": []}', "has no 'key'"),
        ('{"key": "x", "kind": "bank_holidays", "title": "X", "data": []}', "has no 'version'"),
        ('{"key": "x", "version": "1", "title": "X", "data": []}', "has no 'kind'"),
        ('{"key": "x", "version": "1", "kind": "recipes", "title": "X", "data": []}', "unknown kind 'recipes'"),
        ('[{"key": "x"}]', "must hold one JSON object"),
        (
            '{"key": "x", "version": "1", "kind": "bank_holidays", "title": "X",'
            ' "data": [{"date": "31/12/2031", "name": "Hogmanay"}]}',
            "is not a date",
        ),
    ],
)
def test_a_malformed_file_is_named_and_nothing_is_loaded_from_any_file(db, tmp_path, content, problem):
    holidays_file(tmp_path, name="a-good.v1.json")
    (tmp_path / "b-broken.json").write_text(content)

    with pytest.raises(CommandError) as refused:
        load("--dir", str(tmp_path))

    assert "b-broken.json" in str(refused.value)
    assert problem in str(refused.value)
    assert "nothing was written" in str(refused.value)
    assert not FrameworkFile.objects.exists()
    assert not BankHoliday.objects.exists()


def test_the_same_key_and_version_in_two_files_is_refused(db, tmp_path):
    holidays_file(tmp_path, name="one.json")
    holidays_file(tmp_path, name="two.json")

    with pytest.raises(CommandError, match="each \\(key, version\\) must be in one file"):
        load("--dir", str(tmp_path))
    assert not FrameworkFile.objects.exists()


def test_check_reports_what_would_load_and_writes_nothing(db, tmp_path):
    holidays_file(tmp_path)

    output = load("--check", "--dir", str(tmp_path))

    assert "would load test-holidays v1" in output
    assert "Nothing written" in output
    assert not FrameworkFile.objects.exists()
    assert not BankHoliday.objects.exists()


def test_check_finds_a_changed_file_too(db, tmp_path):
    holidays_file(tmp_path)
    load("--dir", str(tmp_path))
    holidays_file(tmp_path, title="A new title")

    with pytest.raises(CommandError, match="new version"):
        load("--check", "--dir", str(tmp_path))


def test_the_command_exits_non_zero_for_a_refused_file(db, tmp_path, capsys):
    (tmp_path / "broken.json").write_text("{not json")

    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "load_framework", "--dir", str(tmp_path)])

    assert exited.value.code != 0
    assert "broken.json" in capsys.readouterr().err


def test_a_bank_holiday_already_in_the_table_is_kept_as_it_is(db, tmp_path):
    BankHoliday.objects.create(date=D(2031, 12, 25), name="Named by an administrator")
    holidays_file(tmp_path)

    outcomes = framework_load(dirs=[tmp_path])

    assert [(o.status, o.rows) for o in outcomes] == [("loaded", 1)]
    assert BankHoliday.objects.get(date=D(2031, 12, 25)).name == "Named by an administrator"
