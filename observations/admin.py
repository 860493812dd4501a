"""Administration of practice observations: the checklists (framework content) read-mostly, and
observations read-only (they change only through their pages and services, with history)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Observation, ObservationChecklist, ObservationPractitioner


@admin.register(ObservationChecklist)
class ObservationChecklistAdmin(admin.ModelAdmin):
    """Loaded by ``load_framework`` and kept on the observations that used them: a version never
    changes (a change is a new version in the framework file). Only the name and description,
    which observations do not depend on, may be corrected."""

    list_display = ("name", "key", "version", "example_content", "created_at")
    list_filter = ("key", "example_content")
    readonly_fields = ("key", "version", "types", "criteria", "example_content", "created_at")
    fields = ("key", "version", "name", "description", "types", "criteria", "example_content", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ObservationPractitionerInline(admin.TabularInline):
    model = ObservationPractitioner
    fields = ("practitioner", "team", "share_choice", "presented_on", "decided_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
    """Read-only: a staff development record is written by its observer and practitioner only.
    No free text is listed; the record's pages show it to those who may see it."""

    list_display = ("pk", "type", "observed_on", "observer", "team", "status")
    list_filter = ("status", "type")
    list_select_related = ("observer", "team")
    fields = (
        "type",
        "observed_on",
        "observer",
        "team",
        "service_area",
        "consent_by",
        "checklist",
        "status",
        "discussion_on",
        "completed_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = (ObservationPractitionerInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
