"""Terms of reference are framework content: loaded once per (key, version), never changed by a
second load; a bad file is refused whole; an edit in the app is a new version the loader never
touches, and meetings keep the version they sat under."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from clinics.models import MeetingKind, TermsOfReference
from clinics.selectors_meetings import current_terms
from clinics.services.meetings import meeting_create

FOLDER = settings.BASE_DIR / "clinics" / "framework"


def _load(*dirs) -> str:
    out = io.StringIO()
    call_command("load_framework", *[f"--dir={d}" for d in dirs], stdout=out)
    return out.getvalue()


def test_loading_twice_inserts_the_example_terms_once(db):
    _load(FOLDER)
    rows = {t.kind: t for t in TermsOfReference.objects.all()}
    assert set(rows) == set(MeetingKind.values)
    assert all(t.example_content and t.version == 1 and t.created_by is None for t in rows.values())
    assert "ChAT" in " ".join(rows["assurance"].inputs)
    assert "corporate director" in rows["assurance"].chair
    assert "Escalations to the practice and performance board" in rows["clinic"].outputs
    TermsOfReference.objects.filter(pk=rows["clinic"].pk).update(quorum="Our own quorum")
    assert "already loaded" in _load(FOLDER)
    assert TermsOfReference.objects.count() == 3
    assert TermsOfReference.objects.get(pk=rows["clinic"].pk).quorum == "Our own quorum"


def _write(folder, data, version: str = "1") -> None:
    document = {
        "key": "bad-terms",
        "version": version,
        "kind": "terms_of_reference",
        "title": "Terms",
        "data": data,
    }
    (folder / f"20-bad.v{version}.json").write_text(json.dumps(document), encoding="utf-8")


GOOD = {
    "key": "fine",
    "version": 1,
    "kind": "clinic",
    "title": "A clinic",
    "purpose": "Why",
    "chair": "The SM",
    "members": ["TM"],
    "frequency": "Monthly",
    "quorum": "Two",
    "inputs": ["Report"],
    "outputs": ["Actions"],
}


def test_a_bad_terms_file_is_refused_whole_and_says_why(db, tmp_path):
    _write(
        tmp_path,
        [
            GOOD,
            {**GOOD, "key": "odd-kind", "kind": "tea-party"},
            {**GOOD, "key": "no-members", "members": []},
            {**GOOD, "key": "long-title", "title": "T" * 151},
            {**GOOD, "key": "no-purpose", "purpose": " "},
            {**GOOD},
        ],
    )
    with pytest.raises(CommandError) as refused:
        _load(tmp_path)
    message = str(refused.value)
    assert "nothing was written" in message
    assert "terms of reference odd-kind: 'kind' must be one of clinic, board, assurance" in message
    assert "terms of reference no-members 'members' must be a non-empty list of text lines" in message
    assert "terms of reference long-title title is longer than 150 characters" in message
    assert "terms of reference no-purpose purpose is empty" in message
    assert "every terms of reference needs a different (key, version)" in message
    assert not TermsOfReference.objects.exists()


def test_the_loader_never_touches_a_version_made_in_the_app(world, client):
    _load(FOLDER)
    clinic_terms = current_terms(MeetingKind.CLINIC)
    meeting = meeting_create(
        kind=MeetingKind.CLINIC,
        held_on=datetime.date(2026, 10, 8),
        team=world.team_a1,
        actor=world.people["team_manager_same"],
    )
    client.force_login(world.people["qa_manager"])
    url = reverse("clinics:terms-edit", args=[clinic_terms.pk])
    data = {
        "title": clinic_terms.title,
        "purpose": clinic_terms.purpose,
        "chair": clinic_terms.chair,
        "members": "Team manager\n\nPractice lead\n",
        "frequency": "Monthly",
        "quorum": "The chair and the team manager",
        "inputs": "\n".join(clinic_terms.inputs),
        "outputs": "\n".join(clinic_terms.outputs),
        "change_note": "",
    }
    response = client.post(url, data)
    assert "Say what changed" in response.content.decode()
    assert "Practice lead" in response.content.decode()  # what was typed is kept
    response = client.post(url, {**data, "change_note": "Agreed at the October clinic"})
    assert response.status_code == 302
    new = current_terms(MeetingKind.CLINIC)
    assert (new.version, new.based_on, new.created_by) == (2, clinic_terms, world.people["qa_manager"])
    assert new.members == ["Team manager", "Practice lead"]
    assert not new.example_content
    assert new.change_note == "Agreed at the October clinic"
    old = TermsOfReference.objects.get(pk=clinic_terms.pk)
    assert old.members == clinic_terms.members
    assert old.version == 1
    meeting.refresh_from_db()
    assert meeting.terms_id == clinic_terms.pk
    # A stale edit of version 1 is refused; nothing changes.
    response = client.post(url, {**data, "change_note": "Late edit"})
    assert "A newer version" in response.content.decode()
    assert TermsOfReference.objects.filter(key=clinic_terms.key).count() == 2
    # A second load leaves the app-made version alone.
    _load(FOLDER)
    assert TermsOfReference.objects.get(pk=new.pk).members == ["Team manager", "Practice lead"]
    # The terms page shows the current version and the history.
    html = client.get(reverse("clinics:terms-list")).content.decode()
    assert "version 2" in html
    assert "Version 1" in html
    assert "Agreed at the October clinic" in html


@pytest.mark.parametrize(
    ("persona", "status"),
    [("qa_officer", 200), ("director", 200), ("assistant_director", 200), ("service_manager_same", 403)],
)
def test_who_edits_terms(world, client, persona, status):
    _load(FOLDER)
    client.force_login(world.people[persona])
    assert client.get(reverse("clinics:terms-edit", args=[current_terms("board").pk])).status_code == status
