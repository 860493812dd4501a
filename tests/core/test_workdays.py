"""Working days (DESIGN section 11) against known England and Wales dates."""

import datetime
import io

import pytest
from django.core.management import call_command

from core import workdays
from core.models import BankHoliday
from core.workdays import add_working_days, is_working_day, last_working_day_of_month, working_days_between

D = datetime.date


@pytest.fixture(autouse=True)
def _fresh_holiday_cache():
    # The cache is per process; each test's database is rolled back, so forget it both ways.
    workdays.clear_cache()
    yield
    workdays.clear_cache()


@pytest.fixture
def bank_holidays(db):
    """The committed England and Wales file, loaded the way the demo and production load it."""
    call_command("load_framework", stdout=io.StringIO())


def test_five_working_days_from_the_friday_before_christmas_skips_christmas_and_boxing_day_substitute(bank_holidays):
    # Fri 18 Dec 2026: Mon 21–Thu 24 are 1–4; Fri 25 (Christmas) and Mon 28 (Boxing Day
    # substitute) are not working days; Tue 29 is the fifth.
    assert add_working_days(D(2026, 12, 18), 5) == D(2026, 12, 29)


def test_easter_2026_good_friday_and_easter_monday_are_not_working_days(bank_holidays):
    assert not is_working_day(D(2026, 4, 3))
    assert not is_working_day(D(2026, 4, 6))
    assert is_working_day(D(2026, 4, 2))
    # Triage "within 1 working day" of a referral on Maundy Thursday is due on the Tuesday.
    assert add_working_days(D(2026, 4, 2), 1) == D(2026, 4, 7)
    assert working_days_between(D(2026, 4, 2), D(2026, 4, 7)) == 1


def test_started_and_authorised_the_same_day_took_zero_working_days(bank_holidays):
    assert working_days_between(D(2026, 11, 24), D(2026, 11, 24)) == 0


def test_started_friday_authorised_monday_took_one_working_day(bank_holidays):
    assert working_days_between(D(2026, 11, 20), D(2026, 11, 23)) == 1


def test_end_before_start_is_zero(bank_holidays):
    assert working_days_between(D(2026, 11, 23), D(2026, 11, 20)) == 0


def test_count_across_the_new_year_leaves_out_christmas_boxing_day_and_new_years_day(bank_holidays):
    # 21–24 Dec (4), 29–31 Dec (3), Mon 4 Jan (1); 25 and 28 Dec and 1 Jan are bank holidays.
    assert working_days_between(D(2026, 12, 18), D(2027, 1, 4)) == 8


def test_45_working_day_assessment_started_in_november_is_due_after_the_christmas_holidays(bank_holidays):
    # Nine weeks would be Mon 4 Jan 2027; three bank holidays push it to Thu 7 Jan.
    assert add_working_days(D(2026, 11, 2), 45) == D(2027, 1, 7)


def test_zero_days_returns_the_start_even_on_a_weekend(bank_holidays):
    assert add_working_days(D(2026, 11, 21), 0) == D(2026, 11, 21)


def test_counting_back(bank_holidays):
    assert add_working_days(D(2026, 12, 29), -5) == D(2026, 12, 18)


def test_adding_then_counting_agree_for_every_start_in_a_year(bank_holidays):
    day = D(2026, 1, 1)
    while day.year == 2026:
        for n in (0, 1, 5, 20, 45):
            assert working_days_between(day, add_working_days(day, n)) == n, (day, n)
        day += datetime.timedelta(days=1)


def test_last_working_day_of_december_2026_is_thursday_31st(bank_holidays):
    assert last_working_day_of_month(2026, 12) == D(2026, 12, 31)


def test_last_working_day_when_the_month_ends_on_a_bank_holiday(bank_holidays):
    # Mon 31 Aug 2026 is the summer bank holiday.
    assert last_working_day_of_month(2026, 8) == D(2026, 8, 28)


def test_last_working_day_when_the_month_ends_on_a_weekend(bank_holidays):
    assert last_working_day_of_month(2026, 5) == D(2026, 5, 29)  # Sun 31 May
    assert last_working_day_of_month(2027, 1) == D(2027, 1, 29)  # Sun 31 Jan


def test_weekends_are_never_working_days_and_weekdays_are_without_holidays(db):
    assert not is_working_day(D(2026, 11, 21))
    assert not is_working_day(D(2026, 11, 22))
    # With no bank holidays held, Christmas Day on a Friday is a weekday like any other.
    assert is_working_day(D(2026, 12, 25))


def test_a_holiday_loaded_later_counts_once_the_loader_has_cleared_the_cache(db, tmp_path):
    assert is_working_day(D(2026, 12, 25))  # read (and cached) before any holiday is loaded
    (tmp_path / "bh.json").write_text(
        '{"key": "bh", "version": "1", "kind": "bank_holidays", "title": "BH",'
        ' "data": [{"date": "2026-12-25", "name": "Christmas Day"}]}'
    )
    call_command("load_framework", "--dir", str(tmp_path), stdout=io.StringIO())
    assert not is_working_day(D(2026, 12, 25))


def test_a_holiday_added_directly_needs_the_cache_cleared(db):
    assert is_working_day(D(2030, 6, 3))
    BankHoliday.objects.create(date=D(2030, 6, 3), name="A one-off bank holiday")
    workdays.clear_cache()
    assert not is_working_day(D(2030, 6, 3))
    assert add_working_days(D(2030, 5, 31), 1) == D(2030, 6, 4)


def test_a_datetime_is_refused_so_a_utc_timestamp_cannot_shift_a_due_date(db):
    with pytest.raises(TypeError):
        add_working_days(datetime.datetime(2026, 11, 20, 23, 30, tzinfo=datetime.UTC), 1)
    with pytest.raises(TypeError):
        working_days_between(D(2026, 11, 20), datetime.datetime(2026, 11, 23, 9, 0))
