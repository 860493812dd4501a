"""Clinics: meetings (clinics, boards, the assurance board), their terms of reference, attendance,
papers, attachments and action logs; and the highlight reports tabled at them, with their frozen
versions and rendered PDFs (DESIGN section 8).

Meetings of all three kinds live here so one action log and one carry-forward rule serve them all;
``boards/`` builds the board and assurance-board reports on top.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from organisation.models import ServiceArea, Team


class MeetingKind(models.TextChoices):
    CLINIC = "clinic", "Practice and performance clinic"
    BOARD = "board", "Practice and performance board"
    ASSURANCE = "assurance", "Practice and performance assurance board"


# --- terms of reference (framework content: loaded by load_framework, edited as new versions) --
class TermsOfReference(models.Model):
    key = models.SlugField(max_length=60)
    version = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(max_length=20, choices=MeetingKind.choices)
    title = models.CharField(max_length=150)
    purpose = models.TextField()
    chair = models.CharField(max_length=200)
    members = models.JSONField(default=list, blank=True, help_text="Who attends, one line each.")
    frequency = models.CharField(max_length=150)
    quorum = models.CharField(max_length=200)
    inputs = models.JSONField(default=list, blank=True, help_text="Papers and information it considers.")
    outputs = models.JSONField(default=list, blank=True, help_text="What it produces or decides.")
    example_content = models.BooleanField(default=False)
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    change_note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "key", "-version"]
        verbose_name_plural = "terms of reference"
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="tor_key_version_once")]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"


# --- meetings -------------------------------------------------------------------------------------
def _scope_matches_kind() -> Q:
    return (
        Q(kind="clinic", team__isnull=False, service_area__isnull=True)
        | Q(kind="board", team__isnull=True, service_area__isnull=False)
        | Q(kind="assurance", team__isnull=True, service_area__isnull=True)
    )


class Meeting(models.Model):
    """One sitting of a clinic (a team's), a board (a service area's) or the assurance board."""

    kind = models.CharField(max_length=20, choices=MeetingKind.choices)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    service_area = models.ForeignKey(ServiceArea, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField()
    terms = models.ForeignKey(TermsOfReference, on_delete=models.PROTECT, related_name="meetings")
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(blank=True, help_text="Summary of the discussion. No case details.")
    quorate = models.BooleanField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["kind", "held_on"], name="meeting_kind_held")]
        constraints = [models.CheckConstraint(condition=_scope_matches_kind(), name="meeting_scope_matches_kind")]

    def __str__(self) -> str:
        place = self.team or self.service_area or "Whole service"
        return f"{self.get_kind_display()}, {place}, {self.held_on:%d %B %Y}"


class Attendance(models.TextChoices):
    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Apologies"
    ABSENT = "absent", "Absent"


class MeetingAttendee(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=150, blank=True, help_text="For someone without an account.")
    role_label = models.CharField(max_length=150, blank=True)
    attendance = models.CharField(max_length=20, choices=Attendance.choices, default=Attendance.PRESENT)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(person__isnull=False) | ~Q(name=""), name="attendee_named"),
            models.UniqueConstraint(
                fields=["meeting", "person"], condition=Q(person__isnull=False), name="attendee_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name or str(self.person)


class MeetingPaper(models.Model):
    """A report tabled at a meeting: a highlight report version, or another paper by title."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="papers")
    title = models.CharField(max_length=200)
    report_version = models.ForeignKey(
        "clinics.ReportVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="tabled_at"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class MeetingAttachment(models.Model):
    """A file tabled at a meeting (e.g. the ChAT output), kept in the database."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(max_length=200)
    file_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    data = models.BinaryField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Who added or removed which file, without a copy of its bytes in every history row.
    history = HistoricalRecords(excluded_fields=["data"])

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    WITHDRAWN = "withdrawn", "Withdrawn"


OPEN_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class MeetingAction(models.Model):
    """An entry in a meeting series' action log. The series (kind + team / service area) is copied
    from the meeting it was raised at; an open action is shown at every later meeting of the series
    until it is done or withdrawn."""

    raised_at = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="actions_raised")
    kind = models.CharField(max_length=20, choices=MeetingKind.choices)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    service_area = models.ForeignKey(ServiceArea, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    what = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meeting_actions")
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    notes = models.TextField(blank=True)
    closed_on = models.DateField(null=True, blank=True)
    closed_at = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="actions_closed"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["kind", "status", "due_on"], name="meeting_action_series")]
        constraints = [
            models.CheckConstraint(condition=_scope_matches_kind(), name="meeting_action_scope_matches_kind"),
            models.CheckConstraint(
                condition=Q(status__in=["open", "in_progress"], closed_on__isnull=True)
                | Q(status__in=["done", "withdrawn"], closed_on__isnull=False),
                name="meeting_action_closed_on_when_closed",
            ),
        ]

    def __str__(self) -> str:
        return self.what[:60]


# --- highlight reports ------------------------------------------------------------------------------
class ReportKind(models.TextChoices):
    TEAM_CLINIC = "team-clinic", "Team manager's clinic highlight report"
    SERVICE_BOARD = "service-board", "Service highlight report for the practice and performance board"
    ASSURANCE_BOARD = "assurance-board", "Assistant director's report for the assurance board"
    PRACTICE_WEEK = "practice-week", "Practice week summary"


class HighlightReport(models.Model):
    """One report for one scope and one month. While a draft its figures are read live; finalising
    freezes a :class:`ReportVersion` with the figures it used."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        FINAL = "final", "Finalised"

    kind = models.CharField(max_length=30, choices=ReportKind.choices)
    # "team:<code>", "area:<code>" or "authority" (as in performance.scopes).
    scope_key = models.CharField(max_length=60)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    service_area = models.ForeignKey(ServiceArea, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    period = models.DateField(help_text="The first day of the month reported on.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    # {box key: text}: the author's narrative boxes.
    narrative = models.JSONField(default=dict, blank=True)
    narrative_version = models.PositiveIntegerField(default=0)
    tables_in_appendix = models.BooleanField(default=False)
    started_from = models.ForeignKey(
        "clinics.ReportVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period", "kind", "scope_key"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "scope_key", "period"], name="report_once_per_scope_month"),
            models.CheckConstraint(condition=Q(period__day=1), name="report_period_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.scope_key}, {self.period:%B %Y}"


class ReportVersion(models.Model):
    """A finalised, dated version of a report: the figures and text it was finalised with. Later data
    never changes it."""

    report = models.ForeignKey(HighlightReport, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField()
    context = models.JSONField(help_text="The report's figures and tables as they were when finalised.")
    narrative = models.JSONField(default=dict)
    tables_in_appendix = models.BooleanField(default=False)
    author_name = models.CharField(max_length=200)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    finalised_at = models.DateTimeField()

    class Meta:
        ordering = ["report", "-number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="report_version_number_once")]

    def __str__(self) -> str:
        return f"{self.report} version {self.number}"


class ReportFile(models.Model):
    """A rendered PDF, stored in the database (never on one server's disk). ``version`` is empty for
    a draft print of the live report; ``report`` too for a team with no report yet (printed in a
    manager's batch, which never creates report rows in other people's names). ``kind``,
    ``scope_key`` and ``period`` say what it is a print of, so access is checked on the place."""

    report = models.ForeignKey(HighlightReport, null=True, blank=True, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=30, choices=ReportKind.choices)
    scope_key = models.CharField(max_length=60)
    period = models.DateField()
    version = models.ForeignKey(ReportVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="files")
    job = models.OneToOneField("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    file_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    pages = models.PositiveSmallIntegerField(default=0)
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.file_name


class ReportBatch(models.Model):
    """Every team report in a manager's scope for a month, one PDF job each, downloaded as a zip."""

    period = models.DateField()
    kind = models.CharField(max_length=30, choices=ReportKind.choices, default=ReportKind.TEAM_CLINIC)
    # [{"report": id, "job": id}] in team order.
    items = models.JSONField(default=list)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Team reports for {self.period:%B %Y}"
