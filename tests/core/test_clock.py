import datetime

import time_machine

from core import clock


def test_today_is_the_london_date_not_the_utc_date():
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (British Summer Time).
    with time_machine.travel(datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC), tick=False):
        assert clock.today() == datetime.date(2026, 7, 1)
    # In winter London is on UTC: the same wall-clock instant stays on 30 December.
    with time_machine.travel(datetime.datetime(2026, 12, 30, 23, 30, tzinfo=datetime.UTC), tick=False):
        assert clock.today() == datetime.date(2026, 12, 30)


def test_london_date_of_a_moment():
    moment = datetime.datetime(2026, 3, 29, 23, 30, tzinfo=datetime.UTC)  # BST began that morning
    assert clock.london_date(moment) == datetime.date(2026, 3, 30)
