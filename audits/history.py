"""One audit's history: every change to the audit, its element answers, actions and concerns,
merged into one timeline, newest first (who, when, what changed).

Built from django-simple-history rows with a fixed number of queries: one per history table,
one for the tool version's elements, and at most one per kind of record a changed foreign key
points at (people, teams …). Saves that changed nothing write no row (STYLE.md 14); should one
exist, it is left out of the timeline rather than shown as a change.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone

from .models import Action, Audit, Element, ElementAnswer, ImmediateConcern

SHORTEN_AT = 120
# Version counters move with every real change; showing them would only add noise.
HIDDEN_FIELDS = frozenset({"version", "overall_version", "reflection_version", "response_version"})


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime.datetime
    who: str
    part: str
    what: str  # "Created", "Changed" or "Deleted"
    changes: list[FieldChange] = field(default_factory=list)
    order: int = 0


def shorten(text: str, limit: int = SHORTEN_AT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class _Labeller:
    """Turns stored values into words: choices to labels, ids to names, lists to text."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.related: dict[type[models.Model], dict[Any, str]] = {}
        self.wanted: dict[type[models.Model], set[Any]] = defaultdict(set)

    def want(self, field_name: str, *values: Any) -> None:
        fk = self._fk(field_name)
        if fk is not None:
            self.wanted[fk.related_model].update(v for v in values if v is not None)

    def _fk(self, field_name: str) -> models.ForeignKey | None:
        try:
            model_field = self.model._meta.get_field(field_name)
        except Exception:  # noqa: BLE001 - a field the live model no longer has
            return None
        return model_field if isinstance(model_field, models.ForeignKey) else None

    def verbose(self, field_name: str) -> str:
        try:
            name = str(self.model._meta.get_field(field_name).verbose_name)
        except Exception:  # noqa: BLE001
            name = field_name.replace("_", " ")
        return name[:1].upper() + name[1:]

    def label(self, field_name: str, value: Any) -> str:
        if value is None or value == "" or value == [] or value == {}:
            return "(blank)"
        fk = self._fk(field_name)
        if fk is not None:
            return self.related.get(fk.related_model, {}).get(value, f"#{value}")
        try:
            model_field = self.model._meta.get_field(field_name)
        except Exception:  # noqa: BLE001
            model_field = None
        if model_field is not None and model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, datetime.datetime):
            return f"{timezone.localtime(value):%d %b %Y %H:%M}"
        if isinstance(value, datetime.date):
            return f"{value:%d %b %Y}"
        if isinstance(value, list):
            return shorten(", ".join(str(v) for v in value))
        if isinstance(value, dict):
            return shorten(", ".join(f"{k}: {v}" for k, v in sorted(value.items())))
        return shorten(str(value))


def _load_related(labellers: Iterable[_Labeller]) -> None:
    """One query per kind of related record that appears in any change."""
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for labeller in labellers:
        for model, ids in labeller.wanted.items():
            wanted[model] |= ids
    names: dict[type[models.Model], dict[Any, str]] = {
        model: {obj.pk: str(obj) for obj in model._default_manager.filter(pk__in=ids)}
        for model, ids in wanted.items()
        if ids
    }
    for labeller in labellers:
        labeller.related = names


def _records(model: type[models.Model], **lookup: Any) -> list[Any]:
    return list(model.history.filter(**lookup).select_related("history_user").order_by("history_date", "history_id"))


def audit_history(audit: Audit) -> list[HistoryEntry]:
    """Every change to ``audit`` and the records under it, newest first."""
    elements = dict(Element.objects.filter(tool_version_id=audit.tool_version_id).values_list("pk", "code"))
    sources: list[tuple[type[models.Model], list[Any]]] = [
        (Audit, _records(Audit, id=audit.pk)),
        (ElementAnswer, _records(ElementAnswer, audit_id=audit.pk)),
        (Action, _records(Action, audit_id=audit.pk)),
        (ImmediateConcern, _records(ImmediateConcern, audit_id=audit.pk)),
    ]
    labellers = {model: _Labeller(model) for model, _ in sources}
    pending: list[tuple[HistoryEntry, type[models.Model], list[tuple[str, Any, Any]]]] = []
    for model, records in sources:
        labeller = labellers[model]
        previous: dict[Any, Any] = {}
        for record in records:
            before = previous.get(record.id)
            previous[record.id] = record
            raw: list[tuple[str, Any, Any]] = []
            if record.history_type == "~" and before is not None:
                delta = record.diff_against(before, excluded_fields=HIDDEN_FIELDS)
                raw = [(c.field, c.old, c.new) for c in delta.changes]
                if not raw:
                    continue  # a save that changed nothing
            for name, old, new in raw:
                labeller.want(name, old, new)
            what = {"+": "Created", "-": "Deleted"}.get(record.history_type, "Changed")
            user = record.history_user
            entry = HistoryEntry(
                when=record.history_date,
                who=(user.full_name or user.email) if user else "The service (automatic)",
                part=_part_name(model, record, elements),
                what=what,
                order=record.history_id,
            )
            pending.append((entry, model, raw))
    _load_related(labellers.values())
    entries = []
    for entry, model, raw in pending:
        labeller = labellers[model]
        entry.changes = [
            FieldChange(labeller.verbose(name), labeller.label(name, old), labeller.label(name, new))
            for name, old, new in sorted(raw)
        ]
        entries.append(entry)
    entries.sort(key=lambda e: (e.when, e.order), reverse=True)
    return entries


def _part_name(model: type[models.Model], record: Any, elements: dict[int, str]) -> str:
    if model is Audit:
        return "The audit"
    if model is ElementAnswer:
        return f"Element {elements.get(record.element_id, '?')}"
    if model is Action:
        return f"Action {record.id}"
    return f"Immediate concern {record.id}"
