"""The seeded framework content (scales, pillars, the social work and early help tools, themes):
loaded by load_framework from audits/framework/*.json, complete, applied by case type, and
loaded once — a second load inserts nothing and a later file never changes what is there."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audits.models import (
    AuditTool,
    Element,
    Grade,
    Pillar,
    Progress,
    Question,
    Scale,
    ScaleOption,
    Theme,
    ToolVersion,
)
from audits.services.tools import tool_version_current
from core.models import FrameworkFile
from organisation.models import CaseType

FRAMEWORK = Path(__file__).resolve().parents[2] / "audits" / "framework"
SOCIAL_WORK_CODES = {
    *(f"A{n}" for n in range(1, 9)),
    *(f"B{n}" for n in range(1, 5)),
    *(f"C{n}" for n in range(1, 5)),
    *(f"D{n}" for n in range(1, 5)),
    "E",
}
EARLY_HELP_CODES = {*(f"A{n}" for n in range(1, 9)), "F", "E"}
A = {f"A{n}" for n in range(1, 9)}
B = {f"B{n}" for n in range(1, 5)}
C = {f"C{n}" for n in range(1, 5)}
D = {f"D{n}" for n in range(1, 5)}
MODELS = (Scale, ScaleOption, Pillar, Theme, AuditTool, ToolVersion, Element, Question, FrameworkFile)


def load(*args: str) -> str:
    out = io.StringIO()
    call_command("load_framework", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def loaded(db):
    load()


def codes(tool_key: str) -> set[str]:
    return set(tool_version_current(tool_key=tool_key).elements.values_list("code", flat=True))


def applying(tool_key: str, case_type: str) -> set[str]:
    version = tool_version_current(tool_key=tool_key)
    return {e.code for e in version.elements.all() if e.applies_to_case_type(case_type)}


def test_the_files_sort_in_load_order():
    # Tools refer to scales by key, so the scales file must load first.
    assert [p.name for p in sorted(FRAMEWORK.glob("*.json"))] == [
        "10-scales.v1.json",
        "20-pillars.v1.json",
        "30-tool-social-work.v1.json",
        "40-tool-early-help.v1.json",
        "50-themes.v1.json",
        "60-dip-sample-checklists.v1.json",
    ]


def test_load_framework_loads_both_tools_with_every_element(loaded):
    assert codes("social-work-case-file") == SOCIAL_WORK_CODES
    assert codes("early-help") == EARLY_HELP_CODES
    social_work = AuditTool.objects.get(key="social-work-case-file")
    assert social_work.kinds == ["monthly", "ad_hoc", "thematic"]
    assert AuditTool.objects.get(key="early-help").kinds == ["early_help"]


def test_each_seeded_tool_is_one_published_example_version_from_its_file(loaded):
    for key in ("social-work-case-file", "early-help"):
        version = tool_version_current(tool_key=key)
        assert (version.number, version.status, version.framework_version) == (1, "published", "1")
        assert version.example_content is True
        assert version.published_at is not None
        assert "replace with the council's own Appendix 2" in version.tool.description


@pytest.mark.parametrize(
    ("case_type", "social_work", "early_help"),
    [
        (CaseType.CHILD_IN_NEED, A | B | {"E"}, set()),
        (CaseType.CHILD_PROTECTION, A | B | {"E"}, set()),
        (CaseType.CHILD_IN_CARE, A | C | {"E"}, set()),
        (CaseType.CARE_LEAVER, A | D | {"E"}, set()),
        (CaseType.EARLY_HELP, set(), A | {"F", "E"}),
    ],
)
def test_elements_apply_by_case_type(loaded, case_type, social_work, early_help):
    assert applying("social-work-case-file", case_type) == social_work
    assert applying("early-help", case_type) == early_help


def test_a_child_in_care_gets_a_c_and_e_and_never_b_d_or_f(loaded):
    elements = applying("social-work-case-file", CaseType.CHILD_IN_CARE)
    assert elements == {"A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "C1", "C2", "C3", "C4", "E"}
    assert not elements & (B | D | {"F"})


def test_every_element_is_graded_with_guidance_and_three_to_seven_prompts(loaded):
    elements = Element.objects.filter(tool_version__tool__key__in=["social-work-case-file", "early-help"])
    assert elements.count() == len(SOCIAL_WORK_CODES) + len(EARLY_HELP_CODES)
    for element in elements:
        assert element.graded, element
        assert element.title, element
        assert element.section_title, element
        assert len(element.guidance) > 80, element
        assert 3 <= len(element.prompts) <= 7, element
        assert all(prompt.endswith("?") for prompt in element.prompts), element
        assert element.section == element.code[0], element


def test_the_elements_follow_design_section_3(loaded):
    social_work = {e.code: e for e in tool_version_current(tool_key="social-work-case-file").elements.all()}
    assert social_work["A5"].title == "The child's wishes and feelings"
    assert social_work["A7"].title == "Case summary and chronology"
    assert social_work["A8"].title == "Supervision and management oversight"
    assert social_work["B2"].title == "Direct work and the Family Programme"
    assert "all eight modules" in social_work["B2"].guidance
    assert any("loneliness" in p for p in social_work["D1"].prompts)
    early_help = {e.code: e for e in tool_version_current(tool_key="early-help").elements.all()}
    assert "Right Help at the Right Time" in early_help["F"].guidance
    assert "not applicable" in early_help["E"].guidance  # E is optional for early help


@pytest.mark.parametrize("tool_key", ["social-work-case-file", "early-help"])
def test_yes_no_questions_feed_the_local_indicators(loaded, tool_key):
    questions = Question.objects.filter(element__tool_version=tool_version_current(tool_key=tool_key))
    found = {(q.element.code, q.indicator, q.scale.key) for q in questions.select_related("element", "scale")}
    assert found == {
        ("A2", "consent-recorded", "yes-no-na"),
        ("A5", "child-seen-alone", "yes-no-na"),
        ("A7", "chronology-present", "yes-no-na"),
        ("A8", "supervision-within-timescale", "yes-no-na"),
    }


def test_the_grade_scale_carries_the_four_grades_with_descriptors_about_the_child(loaded):
    options = list(Scale.objects.get(key="grade").options.order_by("position"))
    assert [o.code for o in options] == list(Grade.values)
    assert [o.label for o in options] == [label for _, label in Grade.choices]
    for option in options:
        assert "child" in option.description, option
    descriptions = {o.code: o.description for o in options}
    assert "lasting difference" in descriptions["outstanding"]
    assert "at risk of harm" in descriptions["inadequate"]


def test_the_other_scales_are_data_too(loaded):
    def option_codes(key: str) -> list[str]:
        return list(Scale.objects.get(key=key).options.order_by("position").values_list("code", flat=True))

    assert option_codes("progress") == list(Progress.values)
    assert option_codes("yes-no-na") == ["yes", "no", "na"]
    assert option_codes("met") == ["met", "partly_met", "not_met"]
    assert option_codes("complied") == ["complied", "not_complied"]
    assert list(Scale.objects.get(key="progress").options.values_list("label", flat=True)) == [
        label for _, label in Progress.choices
    ]


def test_six_pillars_each_with_what_it_looks_like_in_a_case_file(loaded):
    pillars = list(Pillar.objects.order_by("position"))
    assert [p.key for p in pillars] == [
        "collaborative",
        "strengths-based",
        "purposeful",
        "rights-based",
        "empathetic",
        "aspirational",
    ]
    for pillar in pillars:
        assert pillar.version == 1
        assert pillar.summary
        assert len(pillar.looks_like) > 80


def test_a_starter_set_of_theme_tags(loaded):
    names = set(Theme.objects.values_list("name", flat=True))
    assert {"Voice of the child", "Management oversight", "Chronology", "Domestic abuse"} <= names


def test_a_second_load_inserts_nothing(loaded):
    before = counts()
    output = load()
    assert "Nothing new to load" in output
    assert counts() == before


def test_a_later_tool_file_adds_a_new_version_and_changes_nothing_already_there(loaded, tmp_path):
    version_1 = tool_version_current(tool_key="early-help")
    elements_before = list(version_1.elements.values_list("pk", "title", "guidance", "prompts"))
    tool_before = AuditTool.objects.values().get(key="early-help")
    document = json.loads((FRAMEWORK / "40-tool-early-help.v1.json").read_text())
    document["version"] = "2"
    document["data"]["tool"]["name"] = "A renamed tool"  # a file never renames an existing tool
    document["data"]["elements"][0]["title"] = "Why the family needs early help"
    (tmp_path / "40-tool-early-help.v2.json").write_text(json.dumps(document))

    load("--dir", str(tmp_path))

    version_2 = tool_version_current(tool_key="early-help")
    assert (version_2.number, version_2.framework_version) == (2, "2")
    assert version_2.elements.get(code="A1").title == "Why the family needs early help"
    assert list(version_1.elements.values_list("pk", "title", "guidance", "prompts")) == elements_before
    assert AuditTool.objects.values().get(key="early-help") == tool_before
    version_1.refresh_from_db()
    assert version_1.status == "published"


def test_loaders_only_insert_rows_that_are_missing(db):
    # A theme the QA team renamed before the starter file arrived keeps its name.
    Theme.objects.create(slug="neglect", name="Neglect and thriving")
    load()
    assert Theme.objects.get(slug="neglect").name == "Neglect and thriving"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d["data"]["elements"][0].update(applies_to=["orphan"]), "unknown case type(s) orphan"),
        (lambda d: d["data"]["elements"][1].update(code="A1"), "every element needs a different 'code'"),
        (lambda d: d["data"]["elements"][1]["questions"][0].update(scale="stars"), "scale 'stars' is not loaded"),
        (lambda d: d["data"]["elements"][2].update(title=""), "element A3: the title is empty"),
    ],
)
def test_a_malformed_tool_file_is_refused_and_nothing_is_written(loaded, tmp_path, change, problem):
    document = json.loads((FRAMEWORK / "30-tool-social-work.v1.json").read_text())
    document["version"] = "2"
    change(document)
    (tmp_path / "30-tool-social-work.v2.json").write_text(json.dumps(document))
    before = counts()

    with pytest.raises(CommandError, match="nothing was written") as refused:
        load("--dir", str(tmp_path))

    assert problem in str(refused.value)
    assert counts() == before


def test_the_grade_scale_codes_cannot_drift_from_the_app(db, tmp_path):
    document = json.loads((FRAMEWORK / "10-scales.v1.json").read_text())
    document["data"][0]["options"][2]["code"] = "requires_improvement_to_be_good"
    (tmp_path / "10-scales.v1.json").write_text(json.dumps(document))
    with pytest.raises(CommandError, match="option codes must be outstanding, good, requires_improvement"):
        load("--dir", str(tmp_path))
    assert not Scale.objects.exists()
