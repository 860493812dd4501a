from django.urls import reverse

from organisation.models import CaseFile


def test_qa_team_can_list_the_cases_missing_from_the_latest_extract(client, world):
    CaseFile.objects.filter(pk=world.case_b.pk).update(not_in_latest_extract=True)
    client.force_login(world.people["qa_officer"])
    html = client.get(reverse("organisation:case-list"), {"not_in_latest_extract": "on"}).content.decode()
    assert "Only case files not in the latest extract" in html
    assert "CASE-B" in html
    assert "CASE-A" not in html
    assert "1 case file<" in html


def test_the_extract_filter_is_only_offered_to_the_qa_team(client, world):
    client.force_login(world.people["team_manager_same"])
    html = client.get(reverse("organisation:case-list")).content.decode()
    assert "Only case files not in the latest extract" not in html
    assert "CASE-A" in html


def test_filters_narrow_by_type_status_and_reference(client, world):
    CaseFile.objects.filter(pk=world.case_a.pk).update(closed_on="2025-01-31")
    client.force_login(world.people["qa_manager"])
    url = reverse("organisation:case-list")
    closed = client.get(url, {"status": "closed"}).content.decode()
    assert "CASE-A" in closed
    assert "CASE-B" not in closed
    early_help = client.get(url, {"case_type": "early_help"}).content.decode()
    assert "CASE-EH" in early_help
    assert "CASE-A" not in early_help
    by_family = client.get(url, {"q": world.case_b.family_reference.lower()}).content.decode()
    assert "CASE-B" in by_family
    assert "CASE-A" not in by_family


def test_viewing_a_case_file_is_logged(client, world):
    from core.models import AccessLog

    client.force_login(world.people["team_manager_same"])
    client.get(reverse("organisation:case-detail", args=["CASE-A"]))
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.object_ref) == (world.people["team_manager_same"], "view", "CASE-A")
