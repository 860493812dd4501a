"""Shared models every app uses: job rows, import batches, the access log, framework files,
bank holidays."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class BankHoliday(models.Model):
    """An England and Wales bank holiday, loaded from a framework file by ``load_framework``."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d %B %Y}: {self.name}"


class FrameworkFile(models.Model):
    """A (key, version) of framework content that ``load_framework`` has loaded.

    Rows loaded from a file are never changed by a later load: a change to the content is a new
    version of the file.
    """

    key = models.CharField(max_length=100)
    version = models.CharField(max_length=40)
    source = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="framework_file_key_version_unique")]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"


class ImportBatch(models.Model):
    """An uploaded file kept between 'check' and 'confirm', re-validated at confirm."""

    class Kind(models.TextChoices):
        CASELOAD = "caseload", "Caseload"
        INDICATORS = "indicators", "Figures of record"
        BENCHMARKS = "benchmarks", "Benchmarks"

    class Status(models.TextChoices):
        CHECKED = "checked", "Checked"
        REFUSED = "refused", "Refused"
        QUEUED = "queued", "Queued"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Failed"
        DISCARDED = "discarded", "Discarded"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    file_name = models.CharField(max_length=255)
    content = models.TextField()
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CHECKED)
    problems = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import {self.pk} ({self.file_name})"


class Job(models.Model):
    """Asynchronous work is a row first (STYLE.md 16).

    The view or service writes the row and queues the task after commit; the task claims the row
    with a conditional update; pages show the row. A job whose message was lost (Redis down) is
    picked up by the sweep, so nothing is dropped.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=50)
    key = models.CharField(max_length=200, unique=True)
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="job_status_created")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.status})"


class AccessLog(models.Model):
    """Who looked at or exported a case-level record, and when."""

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        EXPORT = "export", "Exported"
        IMPORT = "import", "Imported"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=60)
    object_ref = models.CharField(max_length=100, blank=True)
    path = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["object_type", "object_ref"], name="accesslog_object")]
        constraints = [models.CheckConstraint(condition=~Q(object_type=""), name="accesslog_object_type_set")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.object_type} {self.object_ref}"


class Notification(models.Model):
    """Every notification is a row: shown in the app, emailed once, never sent twice.

    Emails carry no grade, no initials and no case detail — only a neutral sentence and a link
    (DESIGN section 10).
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=50)
    # Unique per recipient and event, so a sweep or a retried task never notifies twice.
    key = models.CharField(max_length=200)
    message = models.CharField(max_length=300)
    # Shown in the app only, never emailed: e.g. the case reference, the auditor and the due date.
    detail = models.CharField(max_length=300, blank=True)
    url = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email = models.BooleanField(default=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_key")]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class QASettings(models.Model):
    """The settings the QA team edits on a page (DESIGN section 4). One row (pk 1).

    Use :meth:`current` rather than querying: it creates the row with the defaults when missing.
    """

    allocation_day = models.PositiveSmallIntegerField(
        default=1, help_text="Day of the month on which the month's allocation is proposed (1–28)."
    )
    reminder_lead_days = models.PositiveSmallIntegerField(
        default=5, help_text="Days before an audit's due date that the auditor is reminded."
    )
    moderation_share = models.PositiveSmallIntegerField(
        default=25, help_text="Percentage of submitted audits chosen at random for moderation."
    )
    min_open_months_social_work = models.PositiveSmallIntegerField(
        default=1, help_text="Months a social work case must have been open to be drawn."
    )
    min_open_months_early_help = models.PositiveSmallIntegerField(
        default=2, help_text="Months an early help case must have been open to be chosen."
    )
    family_link_expiry_days = models.PositiveSmallIntegerField(
        default=14, help_text="Days a family's secure feedback link stays valid."
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "QA settings"
        verbose_name_plural = "QA settings"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="qa_settings_single_row"),
            models.CheckConstraint(
                condition=Q(allocation_day__gte=1, allocation_day__lte=28), name="qa_settings_allocation_day_range"
            ),
            models.CheckConstraint(condition=Q(moderation_share__lte=100), name="qa_settings_share_percent"),
        ]

    def __str__(self) -> str:
        return "QA settings"

    @classmethod
    def current(cls) -> QASettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj
