"""The monthly allocation's pages, through Django's test client: the QA officer proposes, swaps
a case, excludes an auditor and confirms; then cancels, reallocates; the auditor declares a
conflict. Others get 403 (pages their role lacks) or 404 (records outside their scope)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from audits.models import AllocationProposal, AllocationRound, Audit, AuditStatus, CancelCategory
from core.models import Notification
from tests.factories import CaseFileFactory, DutyFactory

from .factories import tool_version


@pytest.fixture
def setup(world):
    """Three auditors (TM of A1 already has the duty; TM of B1 and the SM of area B get it) and
    five open case files in teams A1 and B1, each worked by a practitioner with a team manager."""
    tool_version(key="social-work-case-file")
    p = world.people
    DutyFactory(person=p["team_manager_other"])
    DutyFactory(person=p["service_manager_other"])
    for team, practitioner in (
        (world.team_a1, p["practitioner_own"]),
        (world.team_b1, p["practitioner_other"]),
        (world.team_a1, p["practitioner_own"]),
    ):
        CaseFileFactory(team=team, practitioner=practitioner)
    return world


def qa_client(client, world):
    client.force_login(world.people["qa_officer"])
    return client


def propose(client) -> AllocationRound:
    response = client.post(reverse("audits:allocation-list"))
    round_ = AllocationRound.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:allocation-round", args=[round_.pk])
    return round_


def confirmed_round(client, world) -> AllocationRound:
    qa_client(client, world)
    round_ = propose(client)
    response = client.post(reverse("audits:allocation-confirm", args=[round_.pk]))
    assert response.status_code == 302
    return round_


def test_the_list_offers_to_propose_this_month_until_there_is_a_proposal(client, setup):
    qa_client(client, setup)
    page = client.get(reverse("audits:allocation-list")).content.decode()
    assert "Propose this month" in page
    assert "No allocation has been proposed yet." in page
    round_ = propose(client)
    page = client.get(reverse("audits:allocation-list")).content.decode()
    assert "Propose this month" not in page
    assert reverse("audits:allocation-round", args=[round_.pk]) in page
    # Proposing again keeps the one round of the month.
    propose(client)
    assert AllocationRound.objects.count() == 1


def test_the_proposal_page_shows_each_auditor_and_their_case(client, setup):
    qa_client(client, setup)
    round_ = propose(client)
    page = client.get(reverse("audits:allocation-round", args=[round_.pk])).content.decode()
    assert "Confirm the allocation" in page
    lines = list(round_.proposals.select_related("auditor", "case_file"))
    assert len(lines) == 3
    for line in lines:
        assert line.auditor.full_name in page
        assert line.case_file is not None
        assert line.case_file.case_reference in page
        assert reverse("audits:proposal-swap", args=[line.pk]) in page


def test_swap_needs_a_reason_and_keeps_the_choice(client, setup):
    qa_client(client, setup)
    round_ = propose(client)
    line = round_.proposals.select_related("case_file").order_by("auditor_id").first()
    url = reverse("audits:proposal-swap", args=[line.pk])
    page = client.get(url)
    choices = page.context["choices"]
    assert choices, "there are spare eligible files to swap in"
    assert line.case_file not in choices
    new_case = choices[0]

    response = client.post(url, {"case_file": new_case.pk, "reason": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert "govuk-error-summary" in html
    assert "Enter why you are swapping the case" in html
    assert f'value="{new_case.pk}" selected' in html
    line.refresh_from_db()
    assert line.case_file_id != new_case.pk

    response = client.post(url, {"case_file": new_case.pk, "reason": "Balance across teams"})
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.case_file_id == new_case.pk
    assert line.swap_reason == "Balance across teams"
    page = client.get(reverse("audits:allocation-round", args=[round_.pk])).content.decode()
    assert "Swapped: Balance across teams" in page


def test_a_case_not_offered_cannot_be_swapped_in(client, setup):
    qa_client(client, setup)
    round_ = propose(client)
    lines = list(round_.proposals.order_by("auditor_id"))
    taken = lines[1].case_file_id  # another auditor's case
    response = client.post(
        reverse("audits:proposal-swap", args=[lines[0].pk]), {"case_file": taken, "reason": "Try it"}
    )
    assert response.status_code == 200
    assert "Choose a case file from the list" in response.content.decode()
    lines[0].refresh_from_db()
    assert lines[0].case_file_id != taken


def test_exclude_an_auditor_with_a_reason_and_include_them_again(client, setup):
    qa_client(client, setup)
    round_ = propose(client)
    line = round_.proposals.select_related("auditor").order_by("auditor_id").last()
    url = reverse("audits:proposal-exclude", args=[line.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert "<title>Error: " in response.content.decode()
    line.refresh_from_db()
    assert not line.excluded

    assert client.post(url, {"reason": "On annual leave"}).status_code == 302
    line.refresh_from_db()
    assert line.excluded
    assert line.case_file_id is None
    page = client.get(reverse("audits:allocation-round", args=[round_.pk])).content.decode()
    assert "Excluded: On annual leave" in page
    assert reverse("audits:proposal-include", args=[line.pk]) in page

    assert client.post(reverse("audits:proposal-include", args=[line.pk])).status_code == 302
    line.refresh_from_db()
    assert not line.excluded
    assert line.case_file_id is not None


def test_an_excluded_auditor_gets_no_audit(client, setup):
    qa_client(client, setup)
    round_ = propose(client)
    line = round_.proposals.order_by("auditor_id").last()
    client.post(reverse("audits:proposal-exclude", args=[line.pk]), {"reason": "Exempt this month"})
    client.post(reverse("audits:allocation-confirm", args=[round_.pk]))
    assert Audit.objects.count() == 2
    assert not Audit.objects.filter(auditor_id=line.auditor_id).exists()


def test_confirm_allocates_and_tells_auditor_practitioner_and_team_manager(client, setup):
    qa_client(client, setup)
    round_ = propose(client)
    response = client.post(reverse("audits:allocation-confirm", args=[round_.pk]), follow=True)
    assert "3 audits allocated" in response.content.decode()
    round_.refresh_from_db()
    assert round_.status == AllocationRound.Status.CONFIRMED
    audits = list(Audit.objects.select_related("case_file__team"))
    assert len(audits) == 3
    assert {a.kind for a in audits} == {"monthly"}
    assert {a.allocation_round_id for a in audits} == {round_.pk}
    for audit in audits:
        tm = (
            setup.people["team_manager_same"]
            if audit.case_file.team == setup.team_a1
            else setup.people["team_manager_other"]
        )
        for person in (audit.auditor, audit.case_file.practitioner, tm):
            assert Notification.objects.filter(recipient=person, url__contains=str(audit.pk)).exists(), person
    # The confirmed page offers no more changes, and confirming again allocates nothing.
    page = client.get(reverse("audits:allocation-round", args=[round_.pk])).content.decode()
    assert "Confirm the allocation" not in page
    response = client.post(reverse("audits:allocation-confirm", args=[round_.pk]), follow=True)
    assert "0 audits allocated" in response.content.decode()
    assert Audit.objects.count() == 3


def test_swap_and_exclude_are_closed_after_confirmation(client, setup):
    round_ = confirmed_round(client, setup)
    line = round_.proposals.order_by("auditor_id").first()
    for name in ("audits:proposal-swap", "audits:proposal-exclude"):
        response = client.post(reverse(name, args=[line.pk]), {"reason": "Too late"})
        assert response.status_code == 302
    line.refresh_from_db()
    assert not line.excluded
    assert not line.swap_reason


def test_cancel_an_allocated_audit(client, setup):
    confirmed_round(client, setup)
    audit = Audit.objects.order_by("pk").first()
    url = reverse("audits:audit-cancel", args=[audit.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"category": CancelCategory.CASE_CLOSED, "reason": ""})
    assert response.status_code == 200
    assert "<title>Error: " in response.content.decode()
    response = client.post(url, {"category": CancelCategory.CASE_CLOSED, "reason": "Closed last week"})
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.status == AuditStatus.CANCELLED
    assert audit.cancel_category == CancelCategory.CASE_CLOSED
    assert audit.cancelled_by == setup.people["qa_officer"]


def test_reallocate_an_audit_to_another_auditor(client, setup):
    confirmed_round(client, setup)
    audit = Audit.objects.select_related("case_file").order_by("pk").first()
    # A fresh auditor with nothing this month who may audit the case.
    other = setup.people["head_of_service"]
    DutyFactory(person=other)
    url = reverse("audits:audit-reallocate", args=[audit.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert other.full_name in page.content.decode()
    response = client.post(
        url, {"auditor": other.pk, "category": CancelCategory.AUDITOR_ABSENT, "reason": "Long-term sick leave"}
    )
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.status == AuditStatus.CANCELLED
    new = Audit.objects.get(reallocated_from=audit)
    assert new.auditor == other
    assert new.case_file_id == audit.case_file_id
    assert response["Location"] == reverse("audits:audit-detail", args=[new.pk])


def test_the_auditor_declares_a_conflict(client, setup):
    confirmed_round(client, setup)
    audit = Audit.objects.select_related("auditor").order_by("pk").first()
    client.force_login(audit.auditor)
    url = reverse("audits:audit-declare-conflict", args=[audit.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": ""})
    assert "<title>Error: " in response.content.decode()
    assert client.post(url, {"reason": "I know the family"}).status_code == 302
    audit.refresh_from_db()
    assert audit.status == AuditStatus.CANCELLED
    assert audit.cancel_category == CancelCategory.CONFLICT
    assert Notification.objects.filter(recipient=setup.people["qa_officer"], kind="audit-conflict").exists()


def test_someone_elses_audit_cannot_be_declared_a_conflict(client, setup):
    confirmed_round(client, setup)
    audits = list(Audit.objects.order_by("pk"))
    mine, theirs = audits[0], audits[1]
    client.force_login(mine.auditor)
    # Another auditor's audit is outside their scope: 404, which does not confirm it exists.
    assert client.get(reverse("audits:audit-declare-conflict", args=[theirs.pk])).status_code in (403, 404)
    # The QA officer sees every audit but is not its auditor: 403.
    client.force_login(setup.people["qa_officer"])
    response = client.post(reverse("audits:audit-declare-conflict", args=[mine.pk]), {"reason": "Not mine"})
    assert response.status_code == 403
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert mine.status == theirs.status == AuditStatus.ALLOCATED


def test_other_roles_get_403_on_the_allocation_pages(client, setup):
    qa_client(client, setup)
    round_ = propose(client)
    line = round_.proposals.order_by("auditor_id").first()
    client.force_login(setup.people["team_manager_same"])
    assert client.get(reverse("audits:allocation-list")).status_code == 403
    assert client.post(reverse("audits:allocation-list")).status_code == 403
    assert client.get(reverse("audits:allocation-round", args=[round_.pk])).status_code == 403
    assert client.get(reverse("audits:proposal-swap", args=[line.pk])).status_code == 403
    assert client.post(reverse("audits:proposal-exclude", args=[line.pk]), {"reason": "x"}).status_code == 403
    assert client.post(reverse("audits:proposal-include", args=[line.pk])).status_code == 403
    assert client.post(reverse("audits:allocation-confirm", args=[round_.pk])).status_code == 403
    assert not Audit.objects.exists()
    assert not AllocationProposal.objects.filter(excluded=True).exists()


def test_cancel_and_reallocate_are_for_the_qa_team(client, setup):
    confirmed_round(client, setup)
    audit = Audit.objects.order_by("pk").first()
    client.force_login(audit.auditor)
    assert client.get(reverse("audits:audit-cancel", args=[audit.pk])).status_code == 403
    assert client.get(reverse("audits:audit-reallocate", args=[audit.pk])).status_code == 403


def test_wrong_methods_are_refused(client, setup):
    qa_client(client, setup)
    round_ = propose(client)
    line = round_.proposals.first()
    assert client.get(reverse("audits:allocation-confirm", args=[round_.pk])).status_code == 405
    assert client.get(reverse("audits:proposal-include", args=[line.pk])).status_code == 405
    assert client.post(reverse("audits:allocation-round", args=[round_.pk])).status_code == 405
    assert not Audit.objects.exists()


def test_the_list_counts_auditors_and_audits_of_a_confirmed_round(client, setup):
    round_ = confirmed_round(client, setup)
    lines = round_.proposals.count()
    with_case = round_.proposals.filter(case_file__isnull=False).count()
    allocated = round_.audits.count()
    assert allocated == with_case >= 2  # the fixture gives several auditors a case
    page = client.get(reverse("audits:allocation-list")).content.decode()
    cells = re.findall(r'<td class="govuk-table__cell govuk-table__cell--numeric">(\d+)</td>', page)
    # Auditors, with a case, audits allocated: counted once each, not multiplied by the joins.
    assert cells == [str(lines), str(with_case), str(allocated)]
