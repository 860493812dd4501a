"""The observation checklists are framework content: loaded by ``load_framework``, inserted once
per (key, version), never changed; a malformed file is refused whole."""

from __future__ import annotations

import io
import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from observations.models import ObservationChecklist

OBSERVATION_FOLDER = settings.BASE_DIR / "observations" / "framework"


def _load(*dirs) -> str:
    out = io.StringIO()
    call_command("load_framework", *[f"--dir={d}" for d in dirs], stdout=out)
    return out.getvalue()


def test_loading_twice_inserts_the_example_checklists_once_and_never_changes_them(db):
    _load()
    rows = {(c.key, c.version): c for c in ObservationChecklist.objects.all()}
    assert set(rows) == {("meetings", 1), ("visits", 1), ("supervision", 1)}
    meetings = rows[("meetings", 1)]
    assert meetings.example_content
    assert [c["code"] for c in meetings.criteria] == [f"E{n}" for n in range(1, 9)]
    assert "cp_conference" in meetings.types
    # An administrator's correction of a name survives a second load.
    ObservationChecklist.objects.filter(pk=meetings.pk).update(name="Meetings (our wording)")
    assert "already loaded" in _load()
    assert ObservationChecklist.objects.count() == 3
    again = {(c.key, c.version): (c.pk, c.created_at) for c in ObservationChecklist.objects.all()}
    assert again == {pair: (c.pk, c.created_at) for pair, c in rows.items()}
    assert ObservationChecklist.objects.get(pk=meetings.pk).name == "Meetings (our wording)"


def _write(folder, data) -> None:
    document = {
        "key": "bad-checklists",
        "version": "1",
        "kind": "observation_checklists",
        "title": "Broken checklists",
        "data": data,
    }
    (folder / "10-bad.v1.json").write_text(json.dumps(document), encoding="utf-8")


def test_a_bad_checklist_file_is_refused_whole_and_says_why(db, tmp_path):
    good = {
        "key": "fine",
        "version": 1,
        "name": "Fine",
        "types": ["home_visit"],
        "criteria": [{"code": "F1", "text": "A"}],
    }
    _write(
        tmp_path,
        [
            good,
            {
                "key": "odd-type",
                "version": 1,
                "name": "Odd",
                "types": ["tea_party"],
                "criteria": [{"code": "X", "text": "A"}],
            },
            {"key": "empty", "version": 1, "name": "Empty", "types": ["review"], "criteria": []},
            {
                "key": "twice",
                "version": 1,
                "name": "Twice",
                "types": ["review"],
                "criteria": [{"code": "T1", "text": "A"}, {"code": "T1", "text": "B"}],
            },
            {
                "key": "long",
                "version": 1,
                "name": "N" * 151,
                "types": ["review"],
                "criteria": [{"code": "L", "text": "A"}],
            },
        ],
    )
    with pytest.raises(CommandError) as refused:
        _load(tmp_path)
    message = str(refused.value)
    assert "nothing was written" in message
    assert "checklist odd-type: 'types' must list observation types" in message
    assert "checklist empty: 'criteria' must be a non-empty list" in message
    assert "checklist twice: every criterion needs a different short 'code'" in message
    assert "checklist long name is longer than 150 characters" in message
    assert not ObservationChecklist.objects.exists()
