"""The QA team's tool-version pages: every tool and its versions, copying a version into a draft,
editing the draft's elements, publishing and discarding it — and the rule that a published
version (so any version an audit has used) never changes."""

from __future__ import annotations

import html
import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.models import Element, Pillar, Question, ToolVersion
from audits.services import tools as services

from .factories import allocate, tool_version

HistoricalToolVersion = ToolVersion.history.model
LIST_URL = reverse("audits:tool-list")
OUTSIDE_QA = ("team_manager_same", "practitioner_own", "service_manager_same", "director", "administrator")


def detail_url(version: ToolVersion) -> str:
    return reverse("audits:tool-version-detail", args=[version.pk])


def new_url(version: ToolVersion) -> str:
    return reverse("audits:tool-version-new", args=[version.pk])


def publish_url(version: ToolVersion) -> str:
    return reverse("audits:tool-version-publish", args=[version.pk])


def discard_url(version: ToolVersion) -> str:
    return reverse("audits:tool-version-discard", args=[version.pk])


def edit_url(element: Element) -> str:
    return reverse("audits:element-edit", args=[element.pk])


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def element_post(**overrides) -> dict:
    data = {
        "title": "Consent",
        "guidance": "New guidance about consent.",
        "prompts": "Was consent sought?\n\n  Is it recorded?  \n",
        "applies_to": ["child_in_need", "child_protection"],
    }
    return {**data, **overrides}


@pytest.fixture
def qa(client, world):
    client.force_login(world.people["qa_officer"])
    return client


@pytest.fixture
def draft(tool, world):
    return services.tool_version_copy(version=tool, actor=world.people["qa_officer"], note="Clearer consent prompts")


# --- the tool list ------------------------------------------------------------------------------
def test_the_tool_list_shows_each_tool_its_versions_and_which_is_current(qa, world, audit_a, draft):
    response = qa.get(LIST_URL)

    assert response.status_code == 200
    text = text_of(response)
    assert "Tool social-work" in text
    rows = {
        number: re.search(rf'<tr class="govuk-table__row" id="version-{pk}">(.*?)</tr>', text, re.S).group(1)
        for number, pk in ((1, audit_a.tool_version.pk), (2, draft.pk))
    }
    assert "Published (current)" in rows[1]
    assert re.search(r'govuk-table__cell--numeric">1</td>', rows[1])  # audit_a uses version 1
    assert "Draft" in rows[2]
    assert "Clearer consent prompts" in rows[2]
    assert re.search(r'govuk-table__cell--numeric">0</td>', rows[2])
    assert "Example content — replace with your own Appendix 2" in text


def test_the_tool_list_shows_the_loaded_scales_and_pillars_read_only(qa, db):
    call_command("load_framework", stdout=io.StringIO())

    text = text_of(qa.get(LIST_URL))

    assert "Social work case file audit" in text
    assert "Early help case file audit" in text
    # Grade descriptors beside each grade, worded around the child.
    assert "This child is safe, but the help is not yet making the difference it should" in text
    assert "Much better" in text
    for pillar in Pillar.objects.all():
        assert pillar.name in text
        assert pillar.looks_like in text
    assert "Voice of the child" in text
    assert "replace with your own Appendix 4" in text


def test_the_tool_list_query_count_does_not_grow_with_versions_and_audits(qa, world, django_assert_max_num_queries):
    tool_version(key="first", number=1)
    Pillar.objects.create(key="collaborative", name="Collaborative", summary="s", looks_like="l")
    with CaptureQueriesContext(connection) as few:
        assert qa.get(LIST_URL).status_code == 200

    for number in range(2, 12):
        version = tool_version(key="first", number=number)
        allocate(world.case_a, world.people["team_manager_other"], version=version, actor=world.people["qa_officer"])
    for key in ("second", "third"):
        tool_version(key=key)
    ToolVersion.objects.filter(number=11).update(created_by=world.people["qa_officer"])
    Pillar.objects.create(key="purposeful", name="Purposeful", summary="s", looks_like="l")

    # Session and user, the scope, then: tools, their versions (with audit counts and who made
    # them), scales, scale options, pillars, themes — the same however many rows there are.
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = qa.get(LIST_URL)
    assert "Version 11" in text_of(response)


@pytest.mark.parametrize("persona", OUTSIDE_QA)
def test_people_outside_the_qa_team_cannot_reach_the_tool_pages(client, world, tool, draft, persona):
    client.force_login(world.people[persona])
    element = draft.elements.get(code="A1")

    assert client.get(LIST_URL).status_code == 403
    assert client.get(detail_url(tool)).status_code == 404
    assert client.get(new_url(tool)).status_code == 404
    assert client.post(new_url(tool), {"note": "Mine"}).status_code == 404
    assert client.get(edit_url(element)).status_code == 404
    assert client.post(edit_url(element), element_post(title="Changed")).status_code == 404
    assert client.post(publish_url(draft)).status_code == 404
    assert client.get(discard_url(draft)).status_code == 404
    assert client.post(discard_url(draft)).status_code == 404
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert Element.objects.get(pk=element.pk).title == "Reasons for involvement and proportionality"
    assert ToolVersion.objects.count() == 2


# --- a version's page -----------------------------------------------------------------------------
def test_a_published_version_shows_its_elements_read_only(qa, tool):
    response = qa.get(detail_url(tool))

    text = text_of(response)
    assert "Version 1" in text
    assert "Published (current)" in text
    for element in tool.elements.all():
        assert f"{element.code} {element.title}" in text
        assert f"Guidance for {element.code}" in text
        assert f"Prompt two for {element.code}" in text
    assert "Is consent recorded?" in text
    assert "feeds the indicator “consent-recorded”" in text
    assert "Child in need, Child protection" in text  # B1's applicability
    assert "Every case type" in text  # A1 applies to every type
    assert reverse("audits:element-edit", args=[tool.elements.first().pk]) not in text
    assert "Publish version" not in text
    assert new_url(tool) in text


def test_a_draft_offers_edit_publish_and_discard(qa, draft):
    text = text_of(qa.get(detail_url(draft)))

    assert "Draft" in text
    for element in draft.elements.all():
        assert edit_url(element) in text
    assert "Publish version 2" in text
    assert "Discard this draft" in text


def test_the_version_page_query_count_does_not_grow_with_elements(qa, tool, world, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as few:
        qa.get(detail_url(tool))
    bigger = tool_version(key="bigger")
    for position in range(10, 40):
        element = Element.objects.create(
            tool_version=bigger, code=f"X{position}", section="X", title="More", position=position
        )
        Question.objects.create(element=element, code="q", text="A question?", kind="text")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert qa.get(detail_url(bigger)).status_code == 200


# --- making a new version -----------------------------------------------------------------------
def test_a_new_version_is_a_draft_copy_of_every_element_and_question(qa, world, tool, audit_a):
    assert qa.get(new_url(tool)).status_code == 200

    response = qa.post(new_url(tool), {"note": "Adds a prompt about fathers", "example_content": "on"})

    new = ToolVersion.objects.get(tool=tool.tool, number=2)
    assert response.status_code == 302
    assert response["Location"] == detail_url(new)
    assert (new.status, new.based_on, new.change_note) == ("draft", tool, "Adds a prompt about fathers")
    assert new.created_by == world.people["qa_officer"]
    assert new.example_content is True

    def content(version):
        return [
            (e.code, e.section, e.title, e.guidance, e.prompts, e.applies_to, e.graded, e.position)
            for e in version.elements.order_by("position")
        ]

    assert content(new) == content(tool)
    assert not set(new.elements.values_list("pk", flat=True)) & set(tool.elements.values_list("pk", flat=True))
    copied = Question.objects.get(element__tool_version=new)
    assert (copied.element.code, copied.code, copied.scale.key, copied.indicator) == (
        "A2",
        "consent-recorded",
        "yes-no-na",
        "consent-recorded",
    )
    # The version the audit used is untouched, and the audit still points at it.
    audit_a.refresh_from_db()
    assert audit_a.tool_version == tool
    assert Question.objects.filter(element__tool_version=tool).count() == 1
    history = HistoricalToolVersion.objects.filter(id=new.pk)
    assert [(h.history_type, h.history_user) for h in history] == [("+", world.people["qa_officer"])]


def test_the_new_version_can_drop_the_example_content_banner(qa, tool):
    qa.post(new_url(tool), {"note": "Our own Appendix 2 wording"})
    new = ToolVersion.objects.get(number=2)
    assert new.example_content is False
    assert "Example content — replace" not in text_of(qa.get(detail_url(new)))


def test_a_new_version_needs_a_change_note(qa, tool):
    response = qa.post(new_url(tool), {"note": "  "})

    assert response.status_code == 200
    text = text_of(response)
    assert "<title>Error: Make a new version" in text
    assert '<a href="#id_note">Say what this version will change</a>' in text
    assert ToolVersion.objects.count() == 1


def test_only_one_draft_at_a_time(qa, tool, draft):
    text = text_of(qa.get(new_url(tool)))
    assert "already has a draft" in text
    assert 'name="note"' not in text

    response = qa.post(new_url(tool), {"note": "Another draft"}, follow=True)

    assert response.redirect_chain[-1][0] == detail_url(draft)
    assert "already has a draft, version 2" in " ".join(messages_of(response))
    assert ToolVersion.objects.count() == 2


# --- editing a draft's element ------------------------------------------------------------------
def test_editing_a_drafts_element_saves_title_guidance_prompts_and_applicability(qa, draft):
    element = draft.elements.get(code="A2")
    text = text_of(qa.get(edit_url(element)))
    assert "Prompt one for A2\nPrompt two for A2" in text
    # A2 applies to every case type: every box starts ticked.
    assert text.count('checked="checked"') == 5

    response = qa.post(edit_url(element), element_post(title="Consent and information sharing"), follow=True)

    assert response.redirect_chain[-1][0] == f"{detail_url(draft)}#element-A2"
    assert "A2 Consent and information sharing saved." in messages_of(response)
    element.refresh_from_db()
    assert element.title == "Consent and information sharing"
    assert element.guidance == "New guidance about consent."
    assert element.prompts == ["Was consent sought?", "Is it recorded?"]
    assert element.applies_to == ["child_in_need", "child_protection"]
    page = text_of(response)
    assert "New guidance about consent." in page
    assert "Child in need, Child protection" in page


def test_the_element_form_explains_what_is_missing(qa, draft):
    element = draft.elements.get(code="A1")

    response = qa.post(edit_url(element), {"title": "", "guidance": "", "prompts": "\n \n", "applies_to": []})

    assert response.status_code == 200
    text = text_of(response)
    assert "<title>Error: Edit A1" in text
    assert '<a href="#id_title">Enter a title</a>' in text
    assert '<a href="#id_prompts">Enter at least one prompt</a>' in text
    assert '<a href="#id_applies_to_1">Select at least one case type</a>' in text
    assert 'id="id_applies_to_1"' in text
    element.refresh_from_db()
    assert element.title == "Reasons for involvement and proportionality"


def test_too_many_or_too_long_prompts_are_refused(qa, draft):
    element = draft.elements.get(code="A1")
    many = "\n".join(f"Prompt {n}?" for n in range(16))
    assert "Give at most 15 prompts" in text_of(qa.post(edit_url(element), element_post(prompts=many)))
    long = "Short?\n" + "x" * 301
    assert "Prompt 2 is longer than 300 characters" in text_of(qa.post(edit_url(element), element_post(prompts=long)))
    assert Element.objects.get(pk=element.pk).prompts == ["Prompt one for A1", "Prompt two for A1"]


def test_an_element_of_a_published_version_cannot_be_edited_on_the_page(qa, tool):
    element = tool.elements.get(code="A2")

    assert qa.get(edit_url(element)).status_code == 409
    response = qa.post(edit_url(element), element_post(guidance="Typed after it was published"))

    assert response.status_code == 409
    text = text_of(response)
    assert "A2 Consent cannot change" in text
    assert "Typed after it was published" in text  # nothing typed is lost
    assert new_url(tool) in text
    element.refresh_from_db()
    assert element.guidance == "Guidance for A2"


def test_a_draft_published_while_someone_edits_keeps_what_they_typed(qa, world, draft):
    element = draft.elements.get(code="A1")
    services.tool_version_publish(version=draft, actor=world.people["qa_manager"])

    response = qa.post(edit_url(element), element_post(guidance="Late words"))

    assert response.status_code == 409
    assert "Late words" in text_of(response)
    assert Element.objects.get(pk=element.pk).guidance != "Late words"


def test_a_stale_save_shows_both_texts_and_overwrites_nothing(qa, world, draft):
    element = draft.elements.get(code="A1")
    opened = re.search(r'name="fingerprint" value="([0-9a-f]+)"', text_of(qa.get(edit_url(element)))).group(1)
    services.element_update(element=element, actor=world.people["qa_manager"], guidance="The QA manager's guidance")

    response = qa.post(edit_url(element), element_post(title="Reasons", guidance="My guidance", fingerprint=opened))

    assert response.status_code == 200
    text = text_of(response)
    assert "Someone else saved A1 while you were editing it" in text
    assert "The QA manager's guidance" in text  # theirs, shown
    assert "My guidance</textarea>" in text  # mine, kept in the form
    assert Element.objects.get(pk=element.pk).guidance == "The QA manager's guidance"
    # Saving again, having seen both, is a deliberate choice and goes through.
    refreshed = re.search(r'name="fingerprint" value="([0-9a-f]+)"', text).group(1)
    assert refreshed != opened
    qa.post(edit_url(element), element_post(title="Reasons", guidance="My guidance", fingerprint=refreshed))
    assert Element.objects.get(pk=element.pk).guidance == "My guidance"


# --- the services' guards -------------------------------------------------------------------------
def test_the_service_refuses_to_change_an_element_of_a_published_version(world, tool):
    element = tool.elements.get(code="A1")
    with pytest.raises(services.ToolVersionLocked, match="cannot change"):
        services.element_update(element=element, actor=world.people["qa_officer"], title="Changed")
    assert Element.objects.get(pk=element.pk).title == "Reasons for involvement and proportionality"


def test_a_version_an_audit_has_used_can_never_change(world, audit_a):
    version = audit_a.tool_version
    actor = world.people["qa_manager"]
    with pytest.raises(services.ToolVersionLocked):
        services.element_update(element=version.elements.first(), actor=actor, guidance="Changed")
    with pytest.raises(services.ToolVersionLocked):
        services.tool_version_discard(version=version, actor=actor)
    with pytest.raises(services.ToolVersionLocked):
        services.tool_version_publish(version=version, actor=actor)
    retired = tool_version(key="retired-tool", status="retired")
    with pytest.raises(services.ToolVersionLocked, match="is retired"):
        services.element_update(element=retired.elements.first(), actor=actor, title="Changed")


def test_a_save_that_changes_nothing_writes_nothing(world, draft):
    element = draft.elements.get(code="A1")
    same = {"title": f"  {element.title} ", "guidance": element.guidance, "prompts": [*element.prompts, " "]}
    with CaptureQueriesContext(connection) as captured:
        changed = services.element_update(element=element, actor=world.people["qa_officer"], **same)
    assert changed == []
    assert not [q for q in captured.captured_queries if q["sql"].startswith(("UPDATE", "INSERT"))]
    changed = services.element_update(element=element, actor=world.people["qa_officer"], guidance="New")
    assert changed == ["guidance"]


def test_an_unknown_case_type_is_refused(world, draft):
    with pytest.raises(services.ToolVersionError, match="unknown case type"):
        services.element_update(element=draft.elements.first(), actor=world.people["qa_officer"], applies_to=["x"])


# --- publishing -----------------------------------------------------------------------------------
def test_publishing_makes_the_draft_current_and_keeps_earlier_versions_for_their_audits(
    qa, world, tool, audit_a, draft
):
    assert services.tool_version_current(tool_key="social-work") == tool

    response = qa.post(publish_url(draft), follow=True)

    assert response.redirect_chain[-1][0] == detail_url(draft)
    assert "Version 2 is published. New audits of Tool social-work use it from now on." in messages_of(response)
    draft.refresh_from_db()
    tool.refresh_from_db()
    assert draft.status == "published"
    assert draft.published_at is not None
    assert tool.status == "published"
    assert services.tool_version_current(tool_key="social-work") == draft
    audit_a.refresh_from_db()
    assert audit_a.tool_version == tool
    assert "Published (current)" in text_of(response)
    last = HistoricalToolVersion.objects.filter(id=draft.pk).latest("history_id")
    assert (last.history_type, last.status, last.history_user) == ("~", "published", world.people["qa_officer"])
    # Once published, its elements cannot change either.
    assert qa.get(edit_url(draft.elements.first())).status_code == 409


def test_publishing_twice_is_refused_and_writes_no_history(qa, world, draft):
    services.tool_version_publish(version=draft, actor=world.people["qa_manager"])
    rows = HistoricalToolVersion.objects.count()

    response = qa.post(publish_url(draft), follow=True)

    assert "version 2 is published, so it cannot change" in " ".join(messages_of(response))
    assert HistoricalToolVersion.objects.count() == rows


def test_a_draft_overtaken_by_a_later_published_version_is_not_published(world, tool, draft):
    # A new framework file loaded after the draft was made becomes version 3.
    ToolVersion.objects.create(tool=tool.tool, number=3, status="published")
    with pytest.raises(services.ToolVersionError, match="Version 3 was published after this draft was made"):
        services.tool_version_publish(version=draft, actor=world.people["qa_officer"])
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_publishing_is_post_only(qa, draft):
    assert qa.get(publish_url(draft)).status_code == 405
    assert qa.put(publish_url(draft)).status_code == 405
    draft.refresh_from_db()
    assert draft.status == "draft"


# --- discarding -----------------------------------------------------------------------------------
def test_discarding_a_draft_asks_first_then_deletes_it_and_its_elements(qa, world, tool, draft):
    element_ids = list(draft.elements.values_list("pk", flat=True))
    assert discard_url(draft) in text_of(qa.get(detail_url(draft)))
    asked = qa.get(discard_url(draft))
    assert "Are you sure you want to discard draft version 2?" in text_of(asked)
    assert ToolVersion.objects.filter(pk=draft.pk).exists()  # asking changes nothing
    assert qa.put(discard_url(draft)).status_code == 405

    response = qa.post(discard_url(draft), follow=True)

    assert response.redirect_chain[-1][0] == LIST_URL
    assert "Draft version 2 of Tool social-work discarded." in messages_of(response)
    assert not ToolVersion.objects.filter(pk=draft.pk).exists()
    assert not Element.objects.filter(pk__in=element_ids).exists()
    assert tool.elements.count() == 7
    deleted = HistoricalToolVersion.objects.filter(id=draft.pk).latest("history_id")
    assert (deleted.history_type, deleted.history_user) == ("-", world.people["qa_officer"])


def test_a_published_version_cannot_be_discarded(qa, tool):
    asked = qa.get(discard_url(tool), follow=True)
    assert asked.redirect_chain[-1][0] == detail_url(tool)
    assert "Version 1 is published, so it cannot be discarded." in messages_of(asked)

    response = qa.post(discard_url(tool), follow=True)

    assert response.redirect_chain[-1][0] == detail_url(tool)
    assert "cannot change" in " ".join(messages_of(response))
    assert ToolVersion.objects.filter(pk=tool.pk).exists()


def test_a_discarded_draft_answers_404(qa, world, draft):
    services.tool_version_discard(version=draft, actor=world.people["qa_manager"])
    assert qa.get(detail_url(draft)).status_code == 404
    assert qa.post(publish_url(draft)).status_code == 404


def test_the_current_version_is_the_highest_published_one(db):
    assert services.tool_version_current(tool_key="nothing") is None
    first = tool_version(key="t", number=1)
    tool_version(key="t", number=2, status="draft")
    assert services.tool_version_current(tool_key="t") == first
    third = tool_version(key="t", number=3)
    assert services.tool_version_current(tool_key="t") == third
