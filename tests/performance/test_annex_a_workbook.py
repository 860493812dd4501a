"""The fictional Annex A workbook generator and the demo seeder: deterministic bytes that openpyxl
and the import read cleanly, one story told by overlapping workbooks (so the newer one updates and
adds events), and a seeder that adds nothing the second time."""

from __future__ import annotations

import datetime
import io

import openpyxl

from performance.annex_a_workbook import HEADERS, SHEETS, annex_a_workbook_bytes
from performance.demo_annex_a import seed_annex_a
from performance.models import AnnexAEvent, AnnexASnapshot, Estimate
from performance.services.annex_a import LISTS, annex_a_import, annex_a_read

from .test_estimates import estimate_indicators

D = datetime.date
TODAY = D(2026, 11, 2)
KEPT = {c.name for columns in LISTS.values() for c in columns} | {"case_reference", "team"}


def test_the_same_arguments_give_the_same_bytes():
    first = annex_a_workbook_bytes(rows=300, today=D(2026, 3, 31), seed="t")
    assert annex_a_workbook_bytes(rows=300, today=D(2026, 3, 31), seed="t") == first
    assert annex_a_workbook_bytes(rows=300, today=D(2026, 4, 30), seed="t") != first
    assert annex_a_workbook_bytes(rows=300, today=D(2026, 3, 31), seed="u") != first


def test_openpyxl_reads_every_list_with_real_date_cells():
    workbook = openpyxl.load_workbook(io.BytesIO(annex_a_workbook_bytes(rows=600, today=D(2026, 3, 31), seed="t")))
    assert workbook.sheetnames == list(SHEETS.values())
    referrals = list(workbook["List 3 - Referrals"].iter_rows(values_only=True))
    assert referrals[0] == HEADERS[3]
    assert len(referrals) > 20
    assert all(isinstance(row[6], datetime.datetime) for row in referrals[1:])
    assert all(D(2025, 4, 1) <= row[6].date() <= D(2026, 3, 31) for row in referrals[1:])


def test_the_import_reads_a_generated_workbook_cleanly_and_keeps_only_what_estimates_use():
    read = annex_a_read(annex_a_workbook_bytes(rows=2000, today=D(2026, 3, 31), seed="t"), today=TODAY)
    assert read.problems == []
    assert 1700 < read.events < 2300
    assert all(read.lists[n].events for n in range(1, 9))
    for parsed in read.lists.values():
        for event in parsed.events.values():
            assert set(event.codes) <= KEPT
    assert {"Gender", "Ethnicity", "Date of Birth"} <= set(read.lists[3].not_kept)


def test_overlapping_workbooks_tell_one_story(world):
    # July 2024 to September 2025, and July 2025 to September 2026: three months in common.
    older = annex_a_workbook_bytes(rows=1500, today=D(2025, 9, 30), seed="s", months=15)
    newer = annex_a_workbook_bytes(rows=1500, today=D(2026, 9, 30), seed="s", months=15)
    annex_a_import(data=older, file_name="older.xlsx", today=TODAY)
    second = annex_a_import(data=newer, file_name="newer.xlsx", today=TODAY).snapshot
    assert second.problems == []
    # The three months both cover merge: plans and episodes the older one saw open have ended.
    assert second.events_updated > 0
    assert second.events_added > 0
    assert second.rows_read - second.events_added - second.events_updated > 0  # shared events, unchanged


def test_the_demo_seeder_imports_two_workbooks_and_adds_nothing_the_second_time(world):
    estimate_indicators()
    summary = seed_annex_a(size="tiny", today=TODAY)
    assert summary.startswith("Annex A: annex-a-2025-10.xlsx: ")
    assert "annex-a-2026-10.xlsx: " in summary
    assert AnnexASnapshot.objects.count() == 2
    newer = AnnexASnapshot.objects.get(file_name="annex-a-2026-10.xlsx")
    assert newer.extracted_on <= D(2026, 10, 31)
    assert newer.events_updated > 0
    # Half the children take the world's case references as child IDs: their episodes match.
    assert AnnexAEvent.objects.filter(case_file__isnull=False).exists()
    assert AnnexAEvent.objects.filter(case_file__isnull=True).exists()
    assert AnnexAEvent.objects.filter(team__isnull=False).exists()
    events, estimates = AnnexAEvent.objects.count(), Estimate.objects.count()
    assert estimates > 0
    again = seed_annex_a(size="tiny", today=TODAY)
    assert again == "Annex A: annex-a-2025-10.xlsx: already imported; annex-a-2026-10.xlsx: already imported."
    assert (AnnexASnapshot.objects.count(), AnnexAEvent.objects.count(), Estimate.objects.count()) == (
        2,
        events,
        estimates,
    )
