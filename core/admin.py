from django.contrib import admin

from .models import AccessLog, BankHoliday, FrameworkFile, ImportBatch, Job


@admin.register(BankHoliday)
class BankHolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name"]
    date_hierarchy = "date"


@admin.register(FrameworkFile)
class FrameworkFileAdmin(admin.ModelAdmin):
    list_display = ["key", "version", "source", "loaded_at"]
    readonly_fields = ["key", "version", "source", "sha256", "loaded_at"]


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["kind", "key", "status", "attempts", "created_at", "finished_at"]
    list_filter = ["kind", "status"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["kind", "file_name", "status", "uploaded_by", "created_at"]
    list_filter = ["kind", "status"]
    exclude = ["content"]


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "action", "object_type", "object_ref"]
    list_filter = ["action", "object_type"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False
