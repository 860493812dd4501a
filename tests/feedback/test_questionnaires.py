"""Questionnaires as versioned data (DESIGN section 6): the loader inserts unseen versions only and
refuses questionnaires that break the rules; the shared forms build one optional field per question."""

from __future__ import annotations

import copy
import json

import pytest
from crispy_forms.utils import render_crispy_form

from core.framework import FrameworkError, framework_load
from feedback.forms_questionnaire import ConsentForm, QuestionnaireAnswersForm, SharingForm
from feedback.models import Questionnaire, Response, Sharing
from feedback.services.questionnaires import questionnaire_current

from .conftest import FRAMEWORK, submit_response

CHILD_V1 = next(
    q for q in json.loads((FRAMEWORK / "10-questionnaires.v1.json").read_text())["data"] if q["key"] == "child"
)


def _write(folder, questionnaires, *, version="2", key="family-questionnaires"):
    document = {
        "key": key,
        "version": version,
        "kind": "questionnaires",
        "title": "Questionnaires",
        "data": questionnaires,
    }
    (folder / f"q-{key}-{version}.json").write_text(json.dumps(document))
    return folder


def test_the_example_pair_loads_once_and_the_newest_version_is_current(db, questionnaires):
    assert {q.audience for q in questionnaires.values()} == {"child", "parent"}
    assert questionnaires["parent"].questions[0]["text"] == "What has changed for you and your child?"
    framework_load()  # again: nothing new
    assert Questionnaire.objects.count() == 2
    assert questionnaire_current(audience="child") == questionnaires["child"]


def test_a_new_version_adds_a_row_and_leaves_the_old_one_and_its_responses_alone(
    world, questionnaires, ready_task, tmp_path
):
    old = questionnaires["child"]
    before = copy.deepcopy(old.questions)
    response = submit_response(ready_task, old, answers={"changed": "Better at school", "progress": "better"})
    v2 = {**CHILD_V1, "version": 2, "title": "Tell us what you think (version 2)"}
    v2["questions"] = [
        {**CHILD_V1["questions"][0], "text": "What is different for you now?"},
        *CHILD_V1["questions"][1:],
    ]

    framework_load(dirs=[_write(tmp_path, [v2])])

    assert Questionnaire.objects.filter(key="child").count() == 2
    new = questionnaire_current(audience="child")
    assert (new.version, new.questions[0]["text"]) == (2, "What is different for you now?")
    old.refresh_from_db()
    assert (old.version, old.questions) == (1, before)
    response.refresh_from_db()
    assert response.questionnaire_id == old.pk
    assert Response.objects.get(pk=response.pk).answers["changed"] == "Better at school"


def test_nine_questions_are_refused_with_a_clear_problem(db, tmp_path):
    long = {**CHILD_V1, "version": 3}
    long["questions"] = [*CHILD_V1["questions"], {"code": "extra", "kind": "yes_no", "text": "One more?"}]
    with pytest.raises(FrameworkError) as refused:
        framework_load(dirs=[_write(tmp_path, [long])])
    assert any("has 9 questions; a brief questionnaire has at most 8" in p for p in refused.value.problems)
    assert not Questionnaire.objects.exists()


def test_an_open_question_after_a_closed_one_is_refused(db, tmp_path):
    mixed = {**CHILD_V1, "version": 3}
    mixed["questions"] = [
        CHILD_V1["questions"][0],
        CHILD_V1["questions"][4],  # a choice question
        CHILD_V1["questions"][1],  # an open question after it
    ]
    with pytest.raises(FrameworkError) as refused:
        framework_load(dirs=[_write(tmp_path, [mixed])])
    assert any("open questions come first" in p for p in refused.value.problems)
    assert not Questionnaire.objects.exists()


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"audience": "carer"}, "'audience' must be one of child, parent"),
        ({"questions": [{"code": "a", "kind": "choice", "text": "Q?"}]}, "the first question must be an open question"),
        (
            {"questions": [{"code": "a", "kind": "open", "text": "Q?"}, {"code": "a", "kind": "open", "text": "R?"}]},
            "every question needs a different short 'code'",
        ),
        (
            {
                "questions": [
                    {"code": "a", "kind": "open", "text": "Q?"},
                    {"code": "b", "kind": "progress", "text": "R?"},
                    {"code": "c", "kind": "progress", "text": "S?"},
                ]
            },
            "at most one question asks for the view of progress",
        ),
        (
            {"questions": [{"code": "a", "kind": "open", "text": "Q?"}, {"code": "b", "kind": "choice", "text": "R?"}]},
            "a choice question needs at least two options",
        ),
        ({"questions": [{"code": "a", "kind": "essay", "text": "Q?"}]}, "unknown question kind essay"),
    ],
)
def test_questionnaires_breaking_a_rule_are_refused(db, tmp_path, change, problem):
    with pytest.raises(FrameworkError) as refused:
        framework_load(dirs=[_write(tmp_path, [{**CHILD_V1, **change}])])
    assert any(problem in p for p in refused.value.problems), refused.value.problems


# --- the shared forms -------------------------------------------------------------------------------
def test_one_optional_field_per_question_and_only_answers_given_are_kept(db, questionnaires):
    child = questionnaires["child"]
    form = QuestionnaireAnswersForm(
        {"q_changed": "  Calmer at home  ", "q_progress": "better", "q_listened": "", "q_share_story": "yes"},
        questionnaire=child,
    )
    assert list(form.fields) == [f"q_{q['code']}" for q in child.questions]
    assert not any(f.required for f in form.fields.values())
    assert form.is_valid(), form.errors
    assert form.answers() == {"changed": "Calmer at home", "progress": "better", "share_story": "yes"}
    html = render_crispy_form(form)
    # The question is the label (or the legend of its radios), at size m; the hint is shown.
    assert "govuk-label--m" in html
    assert "govuk-fieldset__legend--m" in html
    assert "What has changed for you since your worker started to help?" in html
    assert "Write as much or as little as you like." in html


def test_an_answer_not_offered_or_too_long_is_an_error(db, questionnaires):
    form = QuestionnaireAnswersForm(
        {"q_listened": "sometimes", "q_changed": "x" * 2001}, questionnaire=questionnaires["child"]
    )
    assert not form.is_valid()
    assert form.errors["q_listened"] == ["Choose one of the answers, or leave the question blank"]
    assert form.errors["q_changed"] == ["Your answer must be 2,000 characters or fewer"]


def test_saved_answers_are_shown_again(db, questionnaires):
    form = QuestionnaireAnswersForm(questionnaire=questionnaires["parent"], initial_answers={"changed": "Calmer"})
    assert form["q_changed"].value() == "Calmer"


def test_consent_is_required_and_read_as_yes_or_no(db):
    assert not ConsentForm({}).is_valid()
    yes, no = ConsentForm({"consent": "yes"}, officer=True), ConsentForm({"consent": "no"})
    assert yes.is_valid()
    assert yes.cleaned_data["consent"] is True
    assert no.is_valid()
    assert no.cleaned_data["consent"] is False
    assert yes.fields["consent"].label == "Has the person agreed to answer?"
    assert no.fields["consent"].label == "Do you agree to answer these questions?"


def test_a_name_is_kept_only_when_the_answers_are_shared_with_it(db):
    named = SharingForm({"sharing": Sharing.NAMED, "respondent": "Mum", "respondent_name": "Jo"})
    anonymous = SharingForm({"sharing": Sharing.ANONYMOUS, "respondent": "Mum", "respondent_name": "Jo"})
    assert named.is_valid()
    assert named.cleaned_data["respondent_name"] == "Jo"
    assert anonymous.is_valid()
    assert anonymous.cleaned_data["respondent_name"] == ""
    missing = SharingForm({"respondent": "Mum"})
    assert not missing.is_valid()
    assert missing.errors["sharing"] == ["Choose who can see the answers"]
