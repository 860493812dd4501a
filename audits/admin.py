"""The Administrator's view of audit reference data. Tools and audits are edited on the QA
team's pages, where versions and history are kept; here they are read-only."""

from django.contrib import admin

from .models import Audit, AuditTool, Pillar, Scale, ScaleOption, Theme, ToolVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "active"]
    list_filter = ["active"]
    prepopulated_fields = {"slug": ["name"]}


class ScaleOptionInline(admin.TabularInline):
    model = ScaleOption
    extra = 0


@admin.register(Scale)
class ScaleAdmin(ReadOnlyAdmin):
    list_display = ["name", "key"]
    inlines = [ScaleOptionInline]


@admin.register(Pillar)
class PillarAdmin(ReadOnlyAdmin):
    list_display = ["name", "key", "version"]


@admin.register(AuditTool)
class AuditToolAdmin(ReadOnlyAdmin):
    list_display = ["name", "key"]


@admin.register(ToolVersion)
class ToolVersionAdmin(ReadOnlyAdmin):
    list_display = ["tool", "number", "status", "published_at"]
    list_filter = ["tool", "status"]


@admin.register(Audit)
class AuditAdmin(ReadOnlyAdmin):
    list_display = ["case_reference", "kind", "status", "month", "auditor", "reported_grade"]
    list_filter = ["kind", "status", "month"]
    search_fields = ["case_reference"]
