"""The moderation queue, form and outcome.

The usual audit (tests/audits/conftest.py) is of case_a (team A1): auditor team_manager_other,
practitioner practitioner_own, TM team_manager_same. qa_officer holds the moderator duty."""

from __future__ import annotations

import datetime
import html
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from audits.models import AuditStatus, ChildOfConcern, Grade, Moderation
from audits.permissions import practitioner_sees_findings
from audits.services import moderation as svc
from audits.services.practitioner import AUDIT_SUBMITTED_HOOK
from core import hooks
from core.models import Notification

from .factories import mark_submitted

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(datetime.datetime(2026, 11, 16, 10, 0, tzinfo=LONDON), tick=False):
        yield


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def moderated(audit, *, grade=Grade.INADEQUATE):
    """Submit (Inadequate/Outstanding are always chosen) and return the moderation."""
    mark_submitted(audit, grade=grade)
    hooks.call(AUDIT_SUBMITTED_HOOK, audit=audit)
    return Moderation.objects.get(audit=audit)


def all_agree_post(moderation, **overrides):
    data = {}
    for element in svc.moderated_elements(moderation):
        part = svc.element_part(element.code)
        data.update({f"{part}-version": "0", f"{part}-agrees": "yes", f"{part}-grade": "", f"{part}-reason": ""})
    data.update(
        {
            "overall-version": "0",
            "overall-overall_agrees": "yes",
            "overall-overall_grade": "",
            "overall-overall_reason": "",
            "overall-feedback": "Clear evidence and the child's voice comes through well.",
            "action": "complete",
        }
    )
    data.update(overrides)
    return data


@pytest.fixture
def qa(client, world):
    client.force_login(world.people["qa_officer"])
    return client


def test_queue_lists_waiting_moderations_oldest_first_with_days_waiting(qa, world, audit_a):
    moderated(audit_a)
    response = qa.get(reverse("audits:moderation-queue"))
    assert response.status_code == 200
    page = text_of(response)
    assert audit_a.case_reference in page
    assert "6 days" in page  # submitted 10 November, today 16 November


def test_queue_filters_by_grade(qa, world, audit_a):
    moderated(audit_a)
    page = text_of(qa.get(reverse("audits:moderation-queue"), {"grade": "good"}))
    assert audit_a.case_reference not in page


def test_queue_is_for_the_qa_team_only(client, world):
    client.force_login(world.people["team_manager_same"])
    assert client.get(reverse("audits:moderation-queue")).status_code == 403


def test_assigning_to_a_moderator(qa, world, audit_a):
    moderation = moderated(audit_a)
    me = world.people["qa_officer"]
    response = qa.post(reverse("audits:moderation-assign", args=[moderation.pk]), {"moderator": str(me.pk)})
    assert response.status_code == 302
    moderation.refresh_from_db()
    assert moderation.moderator == me
    assert moderation.status == Moderation.Status.IN_PROGRESS


def test_a_different_grade_needs_a_reason(qa, world, audit_a):
    moderation = moderated(audit_a)
    part = svc.element_part(svc.moderated_elements(moderation)[0].code)
    data = all_agree_post(moderation, **{f"{part}-agrees": "no", f"{part}-grade": "good"})
    response = qa.post(reverse("audits:moderation", args=[moderation.pk]), data)
    assert response.status_code == 200
    page = text_of(response)
    assert "<title>Error:" in page
    assert "is different" in page
    moderation.refresh_from_db()
    assert moderation.status != Moderation.Status.DONE
    # What was typed is kept (saved as a draft).
    assert moderation.elements.get(element__code=part.removeprefix("element-")).grade == "good"


def test_autosave_returns_versions_and_a_stale_save_is_a_conflict(qa, world, audit_a):
    moderation = moderated(audit_a)
    url = reverse("audits:moderation", args=[moderation.pk])
    data = all_agree_post(moderation, _autosave="1", **{"overall-feedback": "First"})
    data.pop("action")
    response = qa.post(url, data, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["versions"]["overall"] == 1
    data["overall-feedback"] = "Second, from a stale page"
    response = qa.post(url, data, HTTP_ACCEPT="application/json")
    assert response.status_code == 409
    moderation.refresh_from_db()
    assert moderation.feedback == "First"


def complete_with_change(qa, moderation, *, grade: str):
    data = all_agree_post(
        moderation,
        **{"overall-overall_agrees": "no", "overall-overall_grade": grade, "overall-overall_reason": "Evidence shows"},
    )
    return qa.post(reverse("audits:moderation", args=[moderation.pk]), data)


def test_outcome_reported_grade_notifications_and_the_tm_talk(qa, client, world, audit_a):
    moderation = moderated(audit_a, grade=Grade.OUTSTANDING)
    response = complete_with_change(qa, moderation, grade=Grade.GOOD)
    assert response.status_code == 302
    audit_a.refresh_from_db()
    assert audit_a.overall_grade == Grade.OUTSTANDING  # both grades kept
    assert audit_a.reported_grade == Grade.GOOD
    assert audit_a.moderated
    assert audit_a.status == AuditStatus.SUBMITTED
    assert audit_a.moderation_changed_grade
    assert not practitioner_sees_findings(audit_a)

    kinds = {(n.recipient_id, n.kind) for n in Notification.objects.filter(kind__startswith="moderation")}
    assert (world.people["team_manager_other"].pk, "moderation-outcome") in kinds
    assert (world.people["team_manager_same"].pk, "moderation-talk-through") in kinds
    practitioner = world.people["practitioner_own"]
    assert not Notification.objects.filter(recipient=practitioner, kind__startswith="moderation").exists()
    assert not Notification.objects.filter(recipient=practitioner, kind="audit-moderated-change").exists()
    for n in Notification.objects.filter(kind__startswith="moderation"):
        assert "Good" not in n.message
        assert "Outstanding" not in n.message

    # The audit list shows the reported grade, marked as moderated.
    page = text_of(qa.get(reverse("audits:audit-detail", args=[audit_a.pk])))
    assert "Moderated" in page

    # The TM records the talk; only then the practitioner sees it and is told.
    client.force_login(world.people["team_manager_same"])
    assert client.post(reverse("audits:change-talked-through", args=[audit_a.pk])).status_code == 302
    audit_a.refresh_from_db()
    assert practitioner_sees_findings(audit_a)
    assert Notification.objects.filter(recipient=practitioner, kind="audit-moderated-change").exists()


def test_the_auditor_reads_the_outcome_and_responds(qa, client, world, audit_a):
    moderation = moderated(audit_a, grade=Grade.OUTSTANDING)
    complete_with_change(qa, moderation, grade=Grade.GOOD)
    client.force_login(world.people["team_manager_other"])
    url = reverse("audits:moderation-outcome", args=[moderation.pk])
    page = text_of(client.get(url))
    assert "Evidence shows" in page
    assert "Good" in page
    assert client.post(url, {"version": "0", "response": "Thank you, I see it."}).status_code == 302
    moderation.refresh_from_db()
    assert moderation.auditor_response == "Thank you, I see it."
    # A stale save of different text is refused, both shown.
    response = client.post(url, {"version": "0", "response": "Something else"})
    assert response.status_code == 200
    assert "Nothing has been overwritten" in text_of(response)


def test_change_to_inadequate_starts_and_from_inadequate_ends_the_child_of_concern(qa, world, audit_a, tool):
    moderation = moderated(audit_a, grade=Grade.OUTSTANDING)
    complete_with_change(qa, moderation, grade=Grade.INADEQUATE)
    assert ChildOfConcern.objects.filter(audit=audit_a, status=ChildOfConcern.Status.OPEN).exists()

    from .factories import allocate

    other = allocate(world.case_a, world.people["team_manager_other"], version=tool, kind="ad_hoc")
    moderation = moderated(other, grade=Grade.INADEQUATE)
    assert ChildOfConcern.objects.filter(audit=other, status=ChildOfConcern.Status.OPEN).exists()
    complete_with_change(qa, moderation, grade=Grade.REQUIRES_IMPROVEMENT)
    assert not ChildOfConcern.objects.filter(audit=other, status=ChildOfConcern.Status.OPEN).exists()


def test_scope_others_get_404_and_wrong_method_405(client, world, audit_a):
    moderation = moderated(audit_a)
    client.force_login(world.people["practitioner_other"])
    assert client.get(reverse("audits:moderation", args=[moderation.pk])).status_code == 404
    assert client.get(reverse("audits:moderation-outcome", args=[moderation.pk])).status_code == 404
    client.force_login(world.people["team_manager_same"])  # sees the audit, but is not the QA team
    assert client.get(reverse("audits:moderation", args=[moderation.pk])).status_code == 404
    assert client.get(reverse("audits:change-talked-through", args=[audit_a.pk])).status_code == 405
