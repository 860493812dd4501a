"""Multi-agency audits: partner contributors see only their own sections (404 everywhere else),
write with a versioned save and submit; or the QA team records a partnership-run audit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audits.models import ProgrammeAudit
from audits.services.programme import partner_section_add, programme_create
from core.models import Notification
from organisation.models import Role
from tests.factories import person_with_role


@pytest.fixture
def multi(world):
    programme = programme_create(
        kind=ProgrammeAudit.Kind.MULTI_AGENCY, title="Domestic abuse", actor=world.people["qa_officer"]
    )
    other_partner = person_with_role(Role.PARTNER_CONTRIBUTOR, email="health@example.test")
    mine = partner_section_add(
        programme=programme,
        partner=world.people["partner_contributor"],
        agency="Police",
        title="Police involvement",
        prompt="What did the police know?",
        actor=world.people["qa_officer"],
    )
    theirs = partner_section_add(
        programme=programme,
        partner=other_partner,
        agency="Health",
        title="Health visiting",
        prompt="What did health know?",
        actor=world.people["qa_officer"],
    )
    return programme, mine, theirs


def test_partner_sees_only_their_sections(client, world, multi):
    _programme, mine, theirs = multi
    client.force_login(world.people["partner_contributor"])
    listing = client.get(reverse("audits:partner-sections")).content.decode()
    assert "Police involvement" in listing
    assert "Health visiting" not in listing
    assert client.get(reverse("audits:partner-section", args=[mine.pk])).status_code == 200
    assert client.get(reverse("audits:partner-section", args=[theirs.pk])).status_code == 404
    assert Notification.objects.filter(recipient=world.people["partner_contributor"], kind="partner-section").exists()


@pytest.mark.parametrize(
    "url",
    [
        lambda w, p: reverse("audits:programme-detail", args=[p.pk]),
        lambda w, p: reverse("audits:programme-list"),
        lambda w, p: reverse("audits:programme-new"),
        lambda w, p: reverse("audits:audit-plan"),
        lambda w, p: reverse("audits:programme-new-for-child", args=["CASE-A"]),
        lambda w, p: reverse("organisation:case-detail", kwargs={"reference": "CASE-A"}),
    ],
)
def test_partner_gets_404_on_every_other_programme_and_case_page(client, world, multi, url):
    client.force_login(world.people["partner_contributor"])
    assert client.get(url(world, multi[0])).status_code == 404


def test_partner_writes_saves_and_submits(client, world, multi):
    _, mine, _ = multi
    client.force_login(world.people["partner_contributor"])
    url = reverse("audits:partner-section", args=[mine.pk])
    assert client.post(url, {"content": "Two call-outs in March", "version": "0"}).status_code == 302
    mine.refresh_from_db()
    assert mine.content == "Two call-outs in March"
    assert mine.version == 1
    # A stale save is refused and shows the saved text rather than overwrite it.
    response = client.post(url, {"content": "Overwrite", "version": "0"})
    assert response.status_code == 200
    assert "Two call-outs in March" in response.content.decode()
    mine.refresh_from_db()
    assert mine.content == "Two call-outs in March"
    response = client.post(url, {"content": "Two call-outs in March", "version": "1", "submit_section": "1"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.submitted_at is not None
    assert "Submitted" in client.get(url).content.decode()
    # Once submitted it no longer changes.
    client.post(url, {"content": "Later edit", "version": "1"})
    mine.refresh_from_db()
    assert mine.content == "Two call-outs in March"


def test_submitting_an_empty_section_is_refused(client, world, multi):
    _, mine, _ = multi
    client.force_login(world.people["partner_contributor"])
    response = client.post(
        reverse("audits:partner-section", args=[mine.pk]), {"content": "", "version": "0", "submit_section": "1"}
    )
    assert response.status_code == 200
    assert "Write the section before submitting it" in response.content.decode()


def test_qa_reads_a_section_but_does_not_write_it(client, world, multi):
    _, mine, _ = multi
    client.force_login(world.people["qa_officer"])
    url = reverse("audits:partner-section", args=[mine.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"content": "x", "version": "0"}).status_code == 403


def test_qa_records_a_partnership_run_audit(client, world):
    client.force_login(world.people["qa_officer"])
    client.post(
        reverse("audits:programme-new"),
        {"kind": "multi_agency", "title": "JTAI neglect", "reason": "other", "partnership_run": "on"},
    )
    programme = ProgrammeAudit.objects.get(title="JTAI neglect")
    assert programme.partnership_run
    url = reverse("audits:programme-detail", args=[programme.pk])
    client.post(
        url,
        {
            "action": "findings",
            "findings-findings": "Information sharing improved",
            "findings-recommendations": "Joint chronology",
            "findings-partnership_themes": "Neglect; school attendance",
            "findings-version": "0",
        },
    )
    page = client.get(url).content.decode()
    assert "Run by the partnership" in page
    assert "school attendance" in page
    assert "Information sharing improved" in page
