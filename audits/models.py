"""Audits: versioned audit tools (as data) and the audits done with them.

A tool is a versioned template: elements → prompts → questions (DESIGN section 3). Once an
audit has used a version it never changes; edits make a new version. An audit freezes its
case's team, practitioner, case type and legal status when it is allocated, so later moves do
not rewrite history or statistics. Each part of an audit that is edited on its own (an
element's answer, the overall section, the practitioner's reflection and response, an action)
carries its own version number, so two people editing different parts never clash and a real
clash is shown, never silently overwritten.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from organisation.models import CaseFile, CaseType, ServiceArea, Team


# --- answer scales (held as data) ---------------------------------------------------------------
class Scale(models.Model):
    """An answer scale: the four grades, yes/no/N/A, met/partly/not met, complied, progress."""

    key = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.name


class ScaleOption(models.Model):
    scale = models.ForeignKey(Scale, on_delete=models.CASCADE, related_name="options")
    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=100)
    description = models.TextField(blank=True, help_text="For grades: the descriptor shown beside the option.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["scale", "position"]
        constraints = [models.UniqueConstraint(fields=["scale", "code"], name="scale_option_unique")]

    def __str__(self) -> str:
        return self.label


class Grade(models.TextChoices):
    """The four grades (codes of the ``grade`` scale), best first."""

    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement to be good"
    INADEQUATE = "inadequate", "Inadequate"


class Progress(models.TextChoices):
    """The progress scale, used for the practitioner's and the family's view of progress."""

    MUCH_WORSE = "much_worse", "Much worse"
    WORSE = "worse", "Worse"
    NO_CHANGE = "no_change", "No change"
    BETTER = "better", "Better"
    MUCH_BETTER = "much_better", "Much better"


# --- pillars of practice and themes -------------------------------------------------------------
class Pillar(models.Model):
    """A pillar of practice (Appendix 4, example content): guidance beside the grades and an
    optional tag. Never an extra rating."""

    key = models.SlugField(max_length=40)
    version = models.PositiveSmallIntegerField(default=1)
    name = models.CharField(max_length=60)
    summary = models.TextField()
    looks_like = models.TextField(help_text="What it looks like in a case file.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "key", "-version"]
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="pillar_key_version_unique")]

    def __str__(self) -> str:
        return self.name


class Theme(models.Model):
    """The QA team's own theme tags for findings (beside the elements and the pillars)."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# --- tools ----------------------------------------------------------------------------------------
class AuditKind(models.TextChoices):
    MONTHLY = "monthly", "Monthly case-file audit"
    EARLY_HELP = "early_help", "Early help audit"
    RE_AUDIT = "re_audit", "6-week review of actions"
    DIP_SAMPLE = "dip_sample", "Dip sample"
    THEMATIC = "thematic", "Thematic audit"
    AD_HOC = "ad_hoc", "Ad-hoc audit"
    MULTI_AGENCY = "multi_agency", "Multi-agency audit"
    PRACTICE_WEEK = "practice_week", "Practice-week audit"


class AuditTool(models.Model):
    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    # Which audit kinds use this tool by default (e.g. the social work tool for monthly audits).
    kinds = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ToolVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    tool = models.ForeignKey(AuditTool, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    # Loaded from a framework file (and which) or made in the app by the QA team.
    framework_version = models.CharField(max_length=40, blank=True)
    example_content = models.BooleanField(
        default=False, help_text="Example content to replace with the council's own Appendix 2."
    )
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    change_note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["tool", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["tool", "number"], name="tool_version_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.tool.name}, version {self.number}"

    @property
    def is_editable(self) -> bool:
        """Only a draft changes; a draft is never used by an audit."""
        return self.status == self.Status.DRAFT


class Element(models.Model):
    """A graded (or ungraded) part of a tool version, e.g. A5 The child's wishes and feelings."""

    tool_version = models.ForeignKey(ToolVersion, on_delete=models.CASCADE, related_name="elements")
    code = models.CharField(max_length=10)
    section = models.CharField(max_length=10, help_text="A, B, C, D, E or F.")
    section_title = models.CharField(max_length=150, blank=True)
    title = models.CharField(max_length=200)
    guidance = models.TextField(blank=True)
    # What the auditor looks for: a list of short prompts.
    prompts = models.JSONField(default=list, blank=True)
    # Case types this element applies to (CaseType values); empty means every case type.
    applies_to = models.JSONField(default=list, blank=True)
    graded = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["tool_version", "position"]
        constraints = [models.UniqueConstraint(fields=["tool_version", "code"], name="element_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def applies_to_case_type(self, case_type: str) -> bool:
        return not self.applies_to or case_type in self.applies_to


class Question(models.Model):
    """A question under an element answered on a scale (yes/no/N/A …) or as free text."""

    class Kind(models.TextChoices):
        SCALE = "scale", "Answered on a scale"
        TEXT = "text", "Free text"

    element = models.ForeignKey(Element, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(max_length=60)
    text = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SCALE)
    scale = models.ForeignKey(Scale, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # A local indicator this question feeds, e.g. "consent-recorded" (performance, later).
    indicator = models.SlugField(max_length=60, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["element", "position"]
        constraints = [
            models.UniqueConstraint(fields=["element", "code"], name="question_code_unique"),
            models.CheckConstraint(
                condition=Q(kind="text") | Q(scale__isnull=False), name="question_scale_needs_a_scale"
            ),
        ]

    def __str__(self) -> str:
        return self.text


# --- audits ---------------------------------------------------------------------------------------
class AuditStatus(models.TextChoices):
    ALLOCATED = "allocated", "Allocated"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    IN_MODERATION = "in_moderation", "In moderation"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


OPEN_STATUSES = (AuditStatus.ALLOCATED, AuditStatus.IN_PROGRESS)
DONE_STATUSES = (AuditStatus.SUBMITTED, AuditStatus.IN_MODERATION, AuditStatus.CLOSED)


class Participant(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    TEAM_MANAGER = "team_manager", "Team manager"
    ADULT_SPECIALIST = "adult_specialist", "Adult specialist"
    OTHER = "other", "Someone else"


class PractitionerAbsence(models.TextChoices):
    LEFT = "left", "The practitioner has left"
    ABSENT = "absent", "The practitioner was absent"
    UNALLOCATED = "unallocated", "The case is unallocated"
    OTHER = "other", "Another reason"


class PractitionerResponse(models.TextChoices):
    AGREE = "agree", "I agree with the grade"
    PARTLY = "partly_agree", "I partly agree with the grade"
    DISAGREE = "disagree", "I disagree with the grade"


class Audit(models.Model):
    kind = models.CharField(max_length=20, choices=AuditKind.choices, default=AuditKind.MONTHLY)
    status = models.CharField(max_length=20, choices=AuditStatus.choices, default=AuditStatus.ALLOCATED)
    case_file = models.ForeignKey(CaseFile, on_delete=models.PROTECT, related_name="audits")
    tool_version = models.ForeignKey(ToolVersion, on_delete=models.PROTECT, related_name="audits")
    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audits_as_auditor")
    # The calendar month the audit belongs to (first day), for the programme and the lists.
    month = models.DateField()
    due_on = models.DateField()
    allocated_at = models.DateTimeField()
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    allocation_reason = models.CharField(max_length=300, blank=True)

    # Frozen at allocation (DESIGN section 2): later moves do not rewrite history.
    case_reference = models.CharField(max_length=40)
    child_initials = models.CharField(max_length=10)
    case_type = models.CharField(max_length=30, choices=CaseType.choices)
    legal_status = models.CharField(max_length=60, blank=True)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="audits")
    service_area = models.ForeignKey(ServiceArea, on_delete=models.PROTECT, related_name="audits")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="audits_of_my_cases"
    )
    case_opened_on = models.DateField()
    case_closed_on = models.DateField(null=True, blank=True)
    restricted = models.BooleanField(default=False)

    # The overall section, edited as one part.
    conversation_on = models.DateField(null=True, blank=True)
    participants = models.JSONField(default=list, blank=True)
    participants_other = models.CharField(max_length=200, blank=True)
    practitioner_absence = models.CharField(max_length=20, choices=PractitionerAbsence.choices, blank=True)
    practitioner_absence_detail = models.CharField(max_length=300, blank=True)
    overall_grade = models.CharField(max_length=30, choices=Grade.choices, blank=True)
    impact_for_child = models.TextField(blank=True)
    practitioner_view_of_progress = models.CharField(max_length=20, choices=Progress.choices, blank=True)
    added_to_record = models.BooleanField(null=True, blank=True)
    added_to_record_on = models.DateField(null=True, blank=True)
    overall_version = models.PositiveIntegerField(default=0)

    # The grade every list and report uses: the moderated grade where there is one (moderation,
    # a later part), else the auditor's. Stored so lists filter in the database.
    reported_grade = models.CharField(max_length=30, choices=Grade.choices, blank=True)
    moderated = models.BooleanField(default=False)

    submitted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)

    # An Inadequate grade (and later a grade changed by moderation) reaches the practitioner
    # only after their TM records that they have talked it through.
    talked_through_at = models.DateTimeField(null=True, blank=True)
    talked_through_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # The practitioner's part: reflections, and the response to the grade (a field with a due
    # date, not a state; it never blocks anything).
    reflection_before = models.TextField(blank=True)
    reflection_after = models.TextField(blank=True)
    reflection_after_due_on = models.DateField(null=True, blank=True)
    reflection_version = models.PositiveIntegerField(default=0)
    response = models.CharField(max_length=20, choices=PractitionerResponse.choices, blank=True)
    response_comment = models.TextField(blank=True)
    response_due_on = models.DateField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    response_version = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "case_reference"]
        indexes = [
            models.Index(fields=["auditor", "status"], name="audit_auditor_status"),
            models.Index(fields=["team", "month"], name="audit_team_month"),
            models.Index(fields=["service_area", "month"], name="audit_area_month"),
            models.Index(fields=["practitioner", "status"], name="audit_practitioner_status"),
            models.Index(fields=["case_file"], name="audit_case_file"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="audit_month_is_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.case_reference} ({self.month:%B %Y})"

    @property
    def is_submitted(self) -> bool:
        return self.status in DONE_STATUSES

    @property
    def is_editable_by_auditor(self) -> bool:
        return self.status in OPEN_STATUSES


class ElementAnswer(models.Model):
    """The auditor's answer for one element: edited on its own, with its own version."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="answers")
    element = models.ForeignKey(Element, on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(max_length=30, choices=Grade.choices, blank=True)
    not_applicable = models.BooleanField(default=False)
    not_applicable_reason = models.CharField(max_length=300, blank=True)
    working_well = models.TextField(blank=True)
    even_better_if = models.TextField(blank=True)
    evidence = models.TextField(blank=True)
    # Answers to the element's questions, keyed by question code: {"consent-recorded": "yes"}.
    answers = models.JSONField(default=dict, blank=True)
    theme_tags = models.JSONField(default=list, blank=True)
    pillar_tags = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["audit", "element__position"]
        constraints = [models.UniqueConstraint(fields=["audit", "element"], name="element_answer_unique")]

    def __str__(self) -> str:
        return f"{self.audit_id}: {self.element_id}"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    NOT_DONE = "not_done", "Not done"
    NO_LONGER_RELEVANT = "no_longer_relevant", "No longer relevant"


class Action(models.Model):
    """An action for improvement: what, who, by when; confirmed by the team manager."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audit_actions")
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    completed_on = models.DateField(null=True, blank=True)
    evidence = models.CharField(max_length=300, blank=True, help_text="One line of evidence.")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["owner", "status"], name="action_owner_status")]

    def __str__(self) -> str:
        return f"Action {self.pk} on audit {self.audit_id}"

    def is_overdue(self, today: datetime.date) -> bool:
        return self.status == ActionStatus.OPEN and self.due_on < today


class ImmediateConcern(models.Model):
    """An immediate safeguarding concern raised by the auditor, at any time, even in a draft."""

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="concerns")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField()
    description = models.TextField()
    # One working day after it was raised (core.workdays), by when the TM records the action.
    action_due_on = models.DateField()
    action_taken = models.TextField(blank=True)
    action_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action_recorded_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"Concern {self.pk} on audit {self.audit_id}"

    def is_overdue(self, today: datetime.date) -> bool:
        return self.action_recorded_at is None and today > self.action_due_on
