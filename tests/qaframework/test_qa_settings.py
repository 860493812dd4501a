"""The QA settings page: the QA manager edits, QA officers read, everyone else 403; validation
messages in the error summary; saving records who changed what (history)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import QASettings

URL = reverse("qa-settings")
VALID = {
    "allocation_day": "3",
    "reminder_lead_days": "5",
    "moderation_share": "30",
    "min_open_months_social_work": "1",
    "min_open_months_early_help": "2",
    "family_link_expiry_days": "14",
}


def test_qa_manager_saves_and_history_records_who(client, world):
    manager = world.people["qa_manager"]
    client.force_login(manager)
    assert client.get(URL).status_code == 200
    response = client.post(URL, VALID)
    assert response.status_code == 302
    settings = QASettings.current()
    assert settings.allocation_day == 3
    assert settings.moderation_share == 30
    assert settings.updated_by == manager
    latest = settings.history.latest()
    assert latest.history_user == manager
    # Saving the same values again writes no history row.
    rows = settings.history.count()
    client.post(URL, VALID)
    assert settings.history.count() == rows


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("allocation_day", "29", "The allocation day must be 28 or fewer"),
        ("allocation_day", "0", "The allocation day must be 1 or more"),
        ("moderation_share", "101", "The moderation share must be 100 or fewer"),
        ("reminder_lead_days", "five", "The reminder lead days must be a whole number"),
        ("family_link_expiry_days", "", "Enter the family link expiry, in days"),
    ],
)
def test_validation_messages_in_the_summary_and_input_kept(client, world, field, value, message):
    client.force_login(world.people["qa_manager"])
    response = client.post(URL, {**VALID, field: value})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in page
    assert "govuk-error-summary" in page
    assert message in page
    assert f'value="{value}"' in page or value == ""
    assert QASettings.current().allocation_day == 1


def test_qa_officer_reads_but_cannot_save(client, world):
    client.force_login(world.people["qa_officer"])
    response = client.get(URL)
    assert response.status_code == 200
    assert "Only the QA manager changes these settings" in response.content.decode()
    assert client.post(URL, VALID).status_code == 403
    assert QASettings.current().allocation_day == 1


@pytest.mark.parametrize("persona", ["practitioner_own", "team_manager_same", "director", "administrator"])
def test_others_get_403(client, world, persona):
    client.force_login(world.people[persona])
    assert client.get(URL).status_code == 403
