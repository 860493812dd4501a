"""Audit tools as data: the loaders for the framework files, and the QA team's tool versions.

A tool is a versioned template: elements → prompts → questions (DESIGN section 3). The seeded
tools, scales, pillars and themes come from ``audits/framework/*.json`` through
``load_framework``; the QA team then changes a tool by copying a version into a draft, editing
the draft's elements and publishing it.

The rule everything here keeps: a published (or retired) version never changes, because audits
that used it must always show it exactly as it was. Only a draft changes, and a draft is never
used by an audit (``audit_allocate`` takes published versions only). The loaders only insert,
so content a council has audited against never changes under it either.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Prefetch, QuerySet
from django.utils import timezone

from core import hooks
from core.framework import LOADER_HOOK, SLUG, FrameworkContent, FrameworkError
from core.framework import list_of_dicts as _list_of_dicts
from core.framework import max_length as _max_length
from core.framework import text_value as _text
from core.models import FrameworkFile
from organisation.models import CaseType, User

from ..models import (
    AuditKind,
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

DRAFT = ToolVersion.Status.DRAFT
PUBLISHED = ToolVersion.Status.PUBLISHED
# Fields of an element the QA team edits on a draft (code, section and position stay: they are
# how audits, reports and the QA team's collation refer to an element across versions).
ELEMENT_EDITABLE_FIELDS = ("title", "section_title", "guidance", "prompts", "applies_to", "graded")
MAX_PROMPTS = 15
PROMPT_MAX = 300
GUIDANCE_MAX = 3000
# Scales the app's own logic reads by code: their option codes must be exactly these.
FIXED_SCALES = {"grade": tuple(Grade.values), "progress": tuple(Progress.values)}


class ToolVersionError(Exception):
    """A change to a tool version that the rules refuse; the message says why, for the QA team."""


class ToolVersionLocked(ToolVersionError):
    """The version is published or retired: it can never change (audits may have used it)."""


class ElementConflict(ToolVersionError):
    """Someone else saved this element after it was opened for editing; nothing was overwritten."""

    def __init__(self, message: str, *, current: Element) -> None:
        super().__init__(message)
        self.current = current


# --- checks shared by the loaders and the edit service ---------------------------------------
def _prompts(value: Any, *, what: str) -> tuple[list[str], list[str]]:
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        return [], [f"{what}: prompts must be a list of text"]
    prompts = [p.strip() for p in value if p.strip()]
    problems = []
    if len(prompts) > MAX_PROMPTS:
        problems.append(f"{what}: give at most {MAX_PROMPTS} prompts")
    problems += [f"{what}: a prompt is longer than {PROMPT_MAX} characters" for p in prompts if len(p) > PROMPT_MAX]
    return prompts, problems


def _case_types(value: Any, *, what: str) -> tuple[list[str], list[str]]:
    """Case types in CaseType order; an empty list means the element applies to every case type."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return [], [f"{what}: applies_to must be a list of case types"]
    unknown = sorted(set(value) - set(CaseType.values))
    if unknown:
        return [], [f"{what}: unknown case type(s) {', '.join(unknown)} (use {', '.join(CaseType.values)})"]
    return [v for v in CaseType.values if v in value], []


def _clean_element_fields(fields: dict[str, Any], *, what: str) -> tuple[dict[str, Any], list[str]]:
    cleaned: dict[str, Any] = {}
    problems: list[str] = []
    for name, value in fields.items():
        if name == "title":
            cleaned[name], found = _text(value, what=f"{what}: the title", limit=_max_length(Element, "title"))
        elif name == "section_title":
            limit = _max_length(Element, "section_title")
            cleaned[name], found = _text(value, what=f"{what}: the section title", limit=limit, required=False)
        elif name == "guidance":
            cleaned[name], found = _text(value, what=f"{what}: the guidance", limit=GUIDANCE_MAX, required=False)
        elif name == "prompts":
            cleaned[name], found = _prompts(value, what=what)
        elif name == "applies_to":
            cleaned[name], found = _case_types(value, what=what)
        elif name == "graded":
            found = [] if isinstance(value, bool) else [f"{what}: graded must be true or false"]
            cleaned[name] = bool(value)
        else:
            raise TypeError(f"{name!r} is not an element field the QA team edits")
        problems += found
    return cleaned, problems


# --- framework-file loaders (they only insert) -------------------------------------------------
def _whole_number(version: str) -> int:
    if not version.isdigit() or int(version) < 1:
        raise FrameworkError([f"version {version!r} must be a whole number (1, 2, …) for this kind"])
    return int(version)


def audit_scales_load(*, content: FrameworkContent, framework_file: FrameworkFile) -> int:
    """Insert the answer scales and any of their options not yet present; never change a row."""
    items = _list_of_dicts(content.data, what="scales with 'key', 'name' and 'options'")
    problems: list[str] = []
    keys = [item.get("key") for item in items]
    if len(set(map(str, keys))) != len(keys):
        problems.append("every scale needs a different 'key'")
    for index, item in enumerate(items, start=1):
        key = item.get("key")
        if not isinstance(key, str) or not SLUG.match(key):
            problems.append(f"scale {index}: 'key' must be a slug")
            continue
        _, found = _text(item.get("name"), what=f"scale {key}: the name", limit=_max_length(Scale, "name"))
        problems += found
        options = item.get("options")
        if not isinstance(options, list) or not options or not all(isinstance(o, dict) for o in options):
            problems.append(f"scale {key}: 'options' must be a non-empty list")
            continue
        codes = [o.get("code") for o in options]
        if any(not isinstance(c, str) or not SLUG.match(c) for c in codes) or len(set(codes)) != len(codes):
            problems.append(f"scale {key}: every option needs a different slug 'code'")
        if key in FIXED_SCALES and tuple(codes) != FIXED_SCALES[key]:
            problems.append(f"scale {key}: option codes must be {', '.join(FIXED_SCALES[key])}, in that order")
        for option in options:
            limit = _max_length(ScaleOption, "label")
            problems += _text(option.get("label"), what=f"scale {key}: an option's label", limit=limit)[1]
            problems += _text(
                option.get("description"), what=f"scale {key}: a description", limit=1000, required=False
            )[1]
    if problems:
        raise FrameworkError(problems)
    existing = {s.key: s for s in Scale.objects.filter(key__in=[item["key"] for item in items])}
    present = set(ScaleOption.objects.filter(scale__in=existing.values()).values_list("scale__key", "code"))
    rows = 0
    new_options: list[ScaleOption] = []
    for item in items:
        scale = existing.get(item["key"])
        if scale is None:
            scale = Scale.objects.create(key=item["key"], name=item["name"].strip())
            rows += 1
        for position, option in enumerate(item["options"]):
            if (scale.key, option["code"]) not in present:
                new_options.append(
                    ScaleOption(
                        scale=scale,
                        code=option["code"],
                        label=option["label"].strip(),
                        description=(option.get("description") or "").strip(),
                        position=position,
                    )
                )
    ScaleOption.objects.bulk_create(new_options)
    return rows + len(new_options)


def audit_pillars_load(*, content: FrameworkContent, framework_file: FrameworkFile) -> int:
    """Insert the pillars of practice as (key, version) rows, the file's version being theirs."""
    version = _whole_number(content.version)
    items = _list_of_dicts(content.data, what="pillars with 'key', 'name', 'summary' and 'looks_like'")
    problems: list[str] = []
    keys = [item.get("key") for item in items]
    if any(not isinstance(k, str) or not SLUG.match(k) for k in keys) or len(set(keys)) != len(keys):
        problems.append("every pillar needs a different slug 'key'")
    for item in items:
        what = f"pillar {item.get('key')}"
        problems += _text(item.get("name"), what=f"{what}: the name", limit=_max_length(Pillar, "name"))[1]
        problems += _text(item.get("summary"), what=f"{what}: the summary", limit=GUIDANCE_MAX)[1]
        problems += _text(item.get("looks_like"), what=f"{what}: 'looks_like'", limit=GUIDANCE_MAX)[1]
    if problems:
        raise FrameworkError(problems)
    present = set(Pillar.objects.filter(key__in=keys, version=version).values_list("key", flat=True))
    new = [
        Pillar(
            key=item["key"],
            version=version,
            name=item["name"].strip(),
            summary=item["summary"].strip(),
            looks_like=item["looks_like"].strip(),
            position=position,
        )
        for position, item in enumerate(items)
        if item["key"] not in present
    ]
    Pillar.objects.bulk_create(new)
    return len(new)


def audit_themes_load(*, content: FrameworkContent, framework_file: FrameworkFile) -> int:
    """Insert the starter theme tags the QA team does not have yet (by slug)."""
    items = _list_of_dicts(content.data, what="themes with 'slug' and 'name'")
    problems: list[str] = []
    slugs = [item.get("slug") for item in items]
    if any(not isinstance(s, str) or not SLUG.match(s) for s in slugs) or len(set(slugs)) != len(slugs):
        problems.append("every theme needs a different slug 'slug'")
    for item in items:
        problems += _text(item.get("name"), what=f"theme {item.get('slug')}", limit=_max_length(Theme, "name"))[1]
    if problems:
        raise FrameworkError(problems)
    present = set(Theme.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    new = [Theme(slug=item["slug"], name=item["name"].strip()) for item in items if item["slug"] not in present]
    Theme.objects.bulk_create(new)
    return len(new)


def _checked_questions(element: dict[str, Any], *, what: str, scales: dict[str, Scale]) -> list[str]:
    questions = element.get("questions", [])
    if not isinstance(questions, list) or not all(isinstance(q, dict) for q in questions):
        return [f"{what}: 'questions' must be a list"]
    problems = []
    codes = [q.get("code") for q in questions]
    if any(not isinstance(c, str) or not SLUG.match(c) for c in codes) or len(set(codes)) != len(codes):
        problems.append(f"{what}: every question needs a different slug 'code'")
    for question in questions:
        label = f"{what}, question {question.get('code')}"
        problems += _text(question.get("text"), what=label, limit=_max_length(Question, "text"))[1]
        kind = question.get("kind", Question.Kind.SCALE)
        if kind not in Question.Kind.values:
            problems.append(f"{label}: kind must be one of {', '.join(Question.Kind.values)}")
        elif kind == Question.Kind.SCALE and question.get("scale") not in scales:
            problems.append(f"{label}: scale {question.get('scale')!r} is not loaded (load the scales file first)")
        indicator = question.get("indicator", "")
        if indicator and (not isinstance(indicator, str) or not SLUG.match(indicator)):
            problems.append(f"{label}: 'indicator' must be a slug")
    return problems


def audit_tool_load(*, content: FrameworkContent, framework_file: FrameworkFile) -> int:
    """Insert one tool version from a file: the tool (by key) if it is new, then a new published
    version numbered after every existing one, with its elements and questions."""
    data = content.data
    if not isinstance(data, dict) or not isinstance(data.get("tool"), dict):
        raise FrameworkError(["'data' must be an object with 'tool' and 'elements'"])
    tool_data = data["tool"]
    elements = _list_of_dicts(data.get("elements"), what="elements")
    problems: list[str] = []
    tool_key = tool_data.get("key")
    if not isinstance(tool_key, str) or not SLUG.match(tool_key):
        problems.append("tool: 'key' must be a slug")
    problems += _text(tool_data.get("name"), what="tool: the name", limit=_max_length(AuditTool, "name"))[1]
    kinds = tool_data.get("kinds", [])
    if not isinstance(kinds, list) or set(kinds) - set(AuditKind.values):
        problems.append(f"tool: 'kinds' must be a list of audit kinds ({', '.join(AuditKind.values)})")
    if not elements:
        problems.append("a tool version needs at least one element")
    codes = [e.get("code") for e in elements]
    if len(set(codes)) != len(codes):
        problems.append("every element needs a different 'code'")
    scales = {s.key: s for s in Scale.objects.all()}
    cleaned_elements: list[dict[str, Any]] = []
    for index, element in enumerate(elements, start=1):
        what = f"element {element.get('code') or index}"
        code, found = _text(element.get("code"), what=f"{what}: the code", limit=_max_length(Element, "code"))
        problems += found
        section, found = _text(
            element.get("section"), what=f"{what}: the section", limit=_max_length(Element, "section")
        )
        problems += found
        fields, found = _clean_element_fields(
            {
                "title": element.get("title"),
                "section_title": element.get("section_title", ""),
                "guidance": element.get("guidance", ""),
                "prompts": element.get("prompts", []),
                "applies_to": element.get("applies_to", []),
                "graded": element.get("graded", True),
            },
            what=what,
        )
        problems += found
        problems += _checked_questions(element, what=what, scales=scales)
        cleaned_elements.append({"code": code, "section": section, **fields})
    if problems:
        raise FrameworkError(problems)

    # Locked like tool_version_copy does, so a load and a copy never take the same number.
    tool = AuditTool.objects.select_for_update().filter(key=tool_key).first()
    rows = 0
    if tool is None:
        tool = AuditTool.objects.create(
            key=tool_key,
            name=tool_data["name"].strip(),
            description=(tool_data.get("description") or "").strip(),
            kinds=kinds,
        )
        rows += 1
    version = ToolVersion(
        tool=tool,
        number=_next_number(tool),
        status=PUBLISHED,
        framework_version=content.version,
        example_content=bool(data.get("example_content", True)),
        change_note=f"Loaded from {content.source}"[: _max_length(ToolVersion, "change_note")],
        published_at=timezone.now(),
    )
    version.save()
    made = Element.objects.bulk_create(
        [Element(tool_version=version, position=position, **fields) for position, fields in enumerate(cleaned_elements)]
    )
    questions = [
        Question(
            element=made_element,
            code=question["code"],
            text=question["text"].strip(),
            kind=question.get("kind", Question.Kind.SCALE),
            scale=scales[question["scale"]]
            if question.get("kind", Question.Kind.SCALE) == Question.Kind.SCALE
            else None,
            indicator=question.get("indicator", ""),
            position=position,
        )
        for made_element, element in zip(made, elements, strict=True)
        for position, question in enumerate(element.get("questions", []))
    ]
    Question.objects.bulk_create(questions)
    return rows + 1 + len(made) + len(questions)


def register() -> None:
    """Hooks, loaders and sweeps of this part (called once at start-up)."""
    hooks.register(LOADER_HOOK.format(kind="audit_scales"), audit_scales_load)
    hooks.register(LOADER_HOOK.format(kind="audit_pillars"), audit_pillars_load)
    hooks.register(LOADER_HOOK.format(kind="audit_tool"), audit_tool_load)
    hooks.register(LOADER_HOOK.format(kind="audit_themes"), audit_themes_load)


# --- the QA team's versions ---------------------------------------------------------------------
def _next_number(tool: AuditTool) -> int:
    return (ToolVersion.objects.filter(tool=tool).aggregate(top=Max("number"))["top"] or 0) + 1


def _locked_version(version: ToolVersion) -> ToolVersion:
    """The version re-read under a row lock, so the state checked is the state changed."""
    return ToolVersion.objects.select_for_update().select_related("tool").get(pk=version.pk)


def _require_draft(version: ToolVersion) -> None:
    if not version.is_editable:
        raise ToolVersionLocked(
            f"{version.tool.name} version {version.number} is {version.get_status_display().lower()}, so it "
            "cannot change: audits that used it must always show it as it was. Make a new version to change it."
        )


def tool_version_current(*, tool_key: str) -> ToolVersion | None:
    """The version new audits use: the highest-numbered published version of the tool."""
    return (
        ToolVersion.objects.filter(tool__key=tool_key, status=PUBLISHED)
        .select_related("tool")
        .order_by("-number")
        .first()
    )


@transaction.atomic
def tool_version_copy(
    *, version: ToolVersion, actor: User, note: str, example_content: bool | None = None
) -> ToolVersion:
    """Copy ``version`` (elements, prompts and questions) into a new draft numbered after every
    existing version. One draft per tool at a time, so a publish always makes the newest version
    current. ``example_content`` defaults to the source's: the banner stays until the QA team
    says the wording is the council's own."""
    tool = AuditTool.objects.select_for_update().get(pk=version.tool_id)
    note, problems = _text(note, what="The change note", limit=_max_length(ToolVersion, "change_note"))
    if problems:
        raise ToolVersionError("Say what the new version will change (up to 300 characters).")
    draft = ToolVersion.objects.filter(tool=tool, status=DRAFT).order_by("number").first()
    if draft is not None:
        raise ToolVersionError(
            f"{tool.name} already has a draft, version {draft.number}. Edit and publish it, or discard it, "
            "before making another."
        )
    new = ToolVersion(
        tool=tool,
        number=_next_number(tool),
        status=DRAFT,
        example_content=version.example_content if example_content is None else example_content,
        based_on=version,
        change_note=note,
        created_by=actor,
    )
    new._history_user = actor
    new.save()
    sources = list(version.elements.order_by("position").prefetch_related("questions"))
    copies = Element.objects.bulk_create(
        [
            Element(
                tool_version=new,
                code=e.code,
                section=e.section,
                section_title=e.section_title,
                title=e.title,
                guidance=e.guidance,
                prompts=list(e.prompts),
                applies_to=list(e.applies_to),
                graded=e.graded,
                position=e.position,
            )
            for e in sources
        ]
    )
    Question.objects.bulk_create(
        [
            Question(
                element=copy,
                code=q.code,
                text=q.text,
                kind=q.kind,
                scale_id=q.scale_id,
                indicator=q.indicator,
                position=q.position,
            )
            for copy, source in zip(copies, sources, strict=True)
            for q in source.questions.all()
        ]
    )
    return new


def element_fingerprint(element: Element) -> str:
    """A short digest of the editable fields, carried by the edit form so a stale save (someone
    else saved the element in between) is refused rather than overwriting their words."""
    values = {name: getattr(element, name) for name in ELEMENT_EDITABLE_FIELDS}
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:16]


@transaction.atomic
def element_update(
    *, element: Element, actor: User, expected_fingerprint: str | None = None, **fields: Any
) -> list[str]:
    """Change an element of a draft: title, section title, guidance, prompts, applicability
    (case types; empty means every type) or whether it is graded. Returns the names of the
    fields that changed; a save that changes nothing writes nothing.

    Raises ToolVersionLocked for a published or retired version, ElementConflict when
    ``expected_fingerprint`` no longer matches, ToolVersionError for values the rules refuse.
    ``actor`` is who asked (elements carry no history; the draft records who made and published
    it)."""
    version = _locked_version(element.tool_version)
    _require_draft(version)
    current = Element.objects.get(pk=element.pk)
    if expected_fingerprint is not None and expected_fingerprint != element_fingerprint(current):
        raise ElementConflict(
            f"Someone else saved {current.code} while you were editing it. Nothing was overwritten: compare "
            "their version with yours below, then save again.",
            current=current,
        )
    cleaned, problems = _clean_element_fields(fields, what=current.code)
    if problems:
        raise ToolVersionError("; ".join(problems))
    changed = [name for name, value in cleaned.items() if getattr(current, name) != value]
    if changed:
        for name in changed:
            setattr(current, name, cleaned[name])
            setattr(element, name, cleaned[name])
        current.save(update_fields=changed)
    return changed


@transaction.atomic
def tool_version_publish(*, version: ToolVersion, actor: User, now: datetime.datetime | None = None) -> ToolVersion:
    """Publish a draft: it becomes the tool's current version and can never change again. Earlier
    published versions stay published, for the audits that used them."""
    locked = _locked_version(version)
    _require_draft(locked)
    if not locked.elements.exists():
        raise ToolVersionError("A version needs at least one element before it can be published.")
    later = (
        ToolVersion.objects.filter(tool_id=locked.tool_id, number__gt=locked.number)
        .exclude(status=DRAFT)
        .order_by("-number")
        .first()
    )
    if later is not None:
        raise ToolVersionError(
            f"Version {later.number} was published after this draft was made, so this draft would not become "
            f"current. Discard it and make a new version from version {later.number}."
        )
    locked.status = PUBLISHED
    locked.published_at = now or timezone.now()
    locked._history_user = actor
    locked.save(update_fields=["status", "published_at"])
    version.status, version.published_at = locked.status, locked.published_at
    return locked


@transaction.atomic
def tool_version_discard(*, version: ToolVersion, actor: User) -> None:
    """Delete a draft with its elements and questions. A published version is never deleted."""
    locked = _locked_version(version)
    _require_draft(locked)
    if locked.audits.exists():  # never for a draft (allocation takes published versions only)
        raise ToolVersionLocked("An audit has used this version, so it cannot be discarded.")
    locked._history_user = actor
    locked.delete()


# --- reads for the QA team's pages (scoped by the views: the QA team sees every tool) -------------
def tools_with_versions() -> list[AuditTool]:
    """Every tool with its versions (newest first), each version's number of audits, the current
    version on the tool as ``current`` and its draft (if any) as ``draft``. Two queries however
    many tools, versions and audits there are."""
    versions = (
        ToolVersion.objects.annotate(audit_count=Count("audits")).select_related("created_by").order_by("-number")
    )
    tools = list(AuditTool.objects.order_by("name").prefetch_related(Prefetch("versions", queryset=versions)))
    for tool in tools:
        # Newest first, so the first published version is the current one.
        tool.current = next((v for v in tool.versions.all() if v.status == PUBLISHED), None)
        tool.draft = next((v for v in tool.versions.all() if v.status == DRAFT), None)
    return tools


def scales_with_options() -> list[Scale]:
    """Every answer scale with its options; ``described`` says whether any option has a
    descriptor (the grades do), so a page can show those as a table."""
    scales = list(Scale.objects.order_by("pk").prefetch_related("options"))
    for scale in scales:
        scale.described = any(option.description for option in scale.options.all())
    return scales


def pillars_latest() -> list[Pillar]:
    """The newest version of each pillar, in their order."""
    seen: set[str] = set()
    latest = []
    for pillar in Pillar.objects.order_by("position", "key", "-version"):
        if pillar.key not in seen:
            seen.add(pillar.key)
            latest.append(pillar)
    return latest


def themes_active() -> QuerySet[Theme]:
    return Theme.objects.filter(active=True).order_by("name")


def case_type_labels(applies_to: Sequence[str]) -> list[str]:
    """How an element's applicability reads on a page."""
    if not applies_to:
        return ["Every case type"]
    return [label for value, label in CaseType.choices if value in applies_to]


def tool_version_for_page(*, version_id: int) -> ToolVersion:
    """A version with its elements (and their questions and scales), its number of audits and
    whether it is current. Raises ToolVersion.DoesNotExist."""
    elements = Element.objects.order_by("position").prefetch_related(
        Prefetch("questions", queryset=Question.objects.select_related("scale").order_by("position"))
    )
    version = (
        ToolVersion.objects.select_related("tool", "based_on", "created_by")
        .annotate(audit_count=Count("audits"))
        .prefetch_related(Prefetch("elements", queryset=elements))
        .get(pk=version_id)
    )
    current = tool_version_current(tool_key=version.tool.key)
    version.is_current = current is not None and current.pk == version.pk
    version.draft = (
        version
        if version.is_editable
        else ToolVersion.objects.filter(tool_id=version.tool_id, status=DRAFT).order_by("number").first()
    )
    for element in version.elements.all():
        element.case_type_labels = case_type_labels(element.applies_to)
    return version


def sections_of(elements: Iterable[Element]) -> list[tuple[str, str, list[Element]]]:
    """Elements grouped by section, in order: (section, section title, elements)."""
    groups: list[tuple[str, str, list[Element]]] = []
    for element in elements:
        if groups and groups[-1][0] == element.section:
            groups[-1][2].append(element)
        else:
            groups.append((element.section, element.section_title, [element]))
    return groups
