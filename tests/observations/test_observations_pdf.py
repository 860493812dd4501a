"""The one-page PDF for the supervision file: what it says (and leaves out), its font, its tags,
its name, and that free text cannot make it fetch anything."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from core.models import AccessLog
from observations.services.observations import observation_complete
from tests.core.test_pdf import spy_on_fetches

from .test_observations import _frozen_clock, completed, discuss, fill, record, signed_in  # noqa: F401

pytestmark = pytest.mark.usefixtures("_frozen_clock")


def _pdf(client, world, observation, persona: str = "practitioner_own"):
    signed_in(client, world, persona)
    response = client.get(reverse("observations:observation-pdf", args=[observation.pk]))
    assert response.status_code == 200
    return response


def _reader(response) -> PdfReader:
    return PdfReader(io.BytesIO(response.content))


def _text(reader: PdfReader) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def _fonts(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def test_the_pdf_holds_the_supervision_record_and_no_case_detail(client, world, settings):
    world.case_a.child_initials = "QZ"
    world.case_a.save()
    observation = completed(world, case_file=world.case_a)
    response = _pdf(client, world, observation)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="practice-observation-2026-11-10.pdf"'
    reader = _reader(response)
    text = _text(reader)
    for expected in (
        settings.AUTHORITY_NAME,
        "Practice observation — for the supervision file",
        "Home visit",
        "10 November 2026",
        world.people["team_manager_same"].full_name,
        world.people["practitioner_own"].full_name,
        "Given by the family",
        "V1. The purpose of the visit is explained",
        "Met",
        "Note V8",
        observation.strengths,
        observation.areas_to_develop,
        "Reflective discussion, 16 November 2026",
        observation.discussion_notes,
        observation.agreed_learning,
        observation.training_needs,
    ):
        assert expected in text, expected
    # Least data: the supervision file needs no case reference or initials.
    assert "CASE-A" not in text
    assert "QZ" not in text
    assert len(reader.pages) == 1


def test_the_pdf_uses_liberation_sans_or_arial_and_is_tagged(client, world):
    reader = _reader(_pdf(client, world, completed(world)))
    fonts = _fonts(reader)
    assert fonts
    families = {name.split("+")[-1].replace("-", "").replace(" ", "") for name in fonts}
    assert all(f.startswith(("LiberationSans", "Arial")) for f in families), fonts
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"]
    assert catalog["/Lang"] == "en-GB"
    assert reader.metadata.title == "Practice observation, 10 November 2026"


def test_free_text_is_printed_as_text_and_fetches_nothing(client, world, monkeypatch):
    fetched = spy_on_fetches(monkeypatch)
    hostile = '<img src="file:///etc/passwd"> <img src="http://example.invalid/x.png">'
    observation = record(world)
    observation = fill(observation, strengths=hostile)
    observation = observation_complete(observation=discuss(observation), actor=observation.observer)
    text = _text(_reader(_pdf(client, world, observation)))
    assert 'src="file:///etc/passwd"' in text
    assert "http://example.invalid/x.png" in text
    assert not [u for u in fetched if u.startswith(("file:", "http:"))]


def test_downloading_the_pdf_is_logged_as_an_export(client, world):
    observation = completed(world)
    _pdf(client, world, observation, persona="qa_officer")
    log = AccessLog.objects.get()
    assert (log.action, log.object_type, log.object_ref) == ("export", "observation", str(observation.pk))


def test_a_draft_says_it_is_a_draft(client, world):
    text = _text(_reader(_pdf(client, world, fill(record(world)), persona="team_manager_same")))
    assert "Draft: waiting for the reflective discussion." in text
    assert "Not recorded yet." in text
