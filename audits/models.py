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


class CancelCategory(models.TextChoices):
    CASE_CLOSED = "case_closed", "The case has closed"
    CHILD_MOVED = "child_moved", "The child has moved"
    CONFLICT = "conflict", "Conflict of interest"
    AUDITOR_ABSENT = "auditor_absent", "The auditor is absent"
    OTHER = "other", "Another reason"


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
    cancel_category = models.CharField(max_length=30, choices=CancelCategory.choices, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A reallocation cancels one audit and allocates another: this links the new to the old.
    reallocated_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reallocated_to"
    )
    # The monthly round that proposed it, or the thematic / ad-hoc / multi-agency audit it is part of.
    allocation_round = models.ForeignKey(
        "AllocationRound", null=True, blank=True, on_delete=models.PROTECT, related_name="audits"
    )
    programme = models.ForeignKey(
        "ProgrammeAudit", null=True, blank=True, on_delete=models.PROTECT, related_name="audits"
    )

    # A grade changed by moderation reaches the practitioner only through their TM (below, as
    # for Inadequate): set by the moderation outcome, cleared of its hold by the TM's record.
    moderation_changed_grade = models.BooleanField(default=False)
    change_talked_through_at = models.DateTimeField(null=True, blank=True)
    change_talked_through_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

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
            # Monthly allocation is idempotent by construction: one live monthly audit per auditor
            # and month, and a case drawn at most once a month — however many workers race.
            models.UniqueConstraint(
                fields=["auditor", "month"],
                condition=Q(kind="monthly") & ~Q(status="cancelled"),
                name="audit_one_monthly_per_auditor",
            ),
            models.UniqueConstraint(
                fields=["case_file", "month"],
                condition=Q(kind="monthly") & ~Q(status="cancelled"),
                name="audit_case_once_a_month",
            ),
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


# --- the audit programme: monthly allocation -----------------------------------------------------
class AllocationRound(models.Model):
    """A month's allocation: proposed by the sweep on the allocation day, reviewed and confirmed
    by the QA team. One per month (the unique month makes the proposal idempotent)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        CONFIRMED = "confirmed", "Confirmed"

    month = models.DateField(unique=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    proposed_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-month"]
        constraints = [models.CheckConstraint(condition=Q(month__day=1), name="round_month_is_first_day")]

    def __str__(self) -> str:
        return f"Allocation for {self.month:%B %Y}"


class AllocationProposal(models.Model):
    """One auditor's line in a month's proposal: the case drawn, or why none."""

    round = models.ForeignKey(AllocationRound, on_delete=models.CASCADE, related_name="proposals")
    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    case_file = models.ForeignKey(CaseFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Why no case was drawn (fewer eligible files than auditors), shown on the page and by the command.
    reason_none = models.CharField(max_length=300, blank=True)
    excluded = models.BooleanField(default=False)
    exclusion_reason = models.CharField(max_length=300, blank=True, help_text="For example: on leave, exempt.")
    swap_reason = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "auditor__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "auditor"], name="proposal_one_per_auditor"),
            models.UniqueConstraint(
                fields=["round", "case_file"], condition=Q(case_file__isnull=False), name="proposal_case_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round}: {self.auditor}"


# --- the child of concern process and the 6-week review of actions ------------------------------
class ChildOfConcern(models.Model):
    """A child on the register because an audit's reported overall grade is Inadequate."""

    class Status(models.TextChoices):
        OPEN = "open", "On the register"
        CLOSED = "closed", "Closed by a review"
        ENDED = "ended", "Ended (grade changed)"

    case_file = models.ForeignKey(CaseFile, on_delete=models.PROTECT, related_name="concern_episodes")
    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="concern_episodes")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    started_at = models.DateTimeField()
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    start_reason = models.CharField(max_length=300)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_reason = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            # One open episode per audit: starting twice (a retried hook, a sweep) adds nothing.
            models.UniqueConstraint(fields=["audit"], condition=Q(status="open"), name="one_open_concern_per_audit"),
        ]

    def __str__(self) -> str:
        return f"Child of concern {self.case_file_id} ({self.get_status_display()})"


class ActionReview(models.Model):
    """The 6-week review of actions (the framework's "re-audit"): due 42 days after the audit
    conversation (or submission), allocated 7 days before it is due."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        ALLOCATED = "allocated", "Allocated"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    class Outcome(models.TextChoices):
        CLOSE = "close", "Close: the child leaves the register"
        FURTHER_REVIEW = "further_review", "A further review is needed"

    episode = models.ForeignKey(ChildOfConcern, on_delete=models.PROTECT, related_name="reviews")
    number = models.PositiveSmallIntegerField(default=1)
    due_on = models.DateField()
    allocate_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="action_reviews"
    )
    allocated_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    new_grade = models.CharField(max_length=30, choices=Grade.choices, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["episode", "number"], name="review_number_unique")]

    def __str__(self) -> str:
        return f"6-week review {self.number} of {self.episode_id}"


class ActionReviewItem(models.Model):
    """One item per action: complied with, or not."""

    review = models.ForeignKey(ActionReview, on_delete=models.CASCADE, related_name="items")
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="review_items")
    complied = models.BooleanField(null=True, blank=True)
    note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["review", "action__due_on"]
        constraints = [models.UniqueConstraint(fields=["review", "action"], name="review_item_once")]

    def __str__(self) -> str:
        return f"{self.review_id}: action {self.action_id}"


# --- dip samples ---------------------------------------------------------------------------------
class DipSampleRound(models.Model):
    """The month's dip-sample theme and its checklist, set by the QA team."""

    month = models.DateField(unique=True)
    theme = models.CharField(max_length=200)
    checklist = models.ForeignKey(ToolVersion, on_delete=models.PROTECT, related_name="+")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-month"]
        constraints = [models.CheckConstraint(condition=Q(month__day=1), name="dip_round_month_is_first_day")]

    def __str__(self) -> str:
        return f"Dip sample {self.month:%B %Y}: {self.theme}"


class DipSample(models.Model):
    """One manager's dip sample for a month: 5 files from their own team or service, or a
    practice observation instead."""

    class Status(models.TextChoices):
        DRAWN = "drawn", "To do"
        DONE = "done", "Done"
        OBSERVATION = "observation", "Practice observation instead"

    round = models.ForeignKey(DipSampleRound, on_delete=models.PROTECT, related_name="samples")
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dip_samples")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    service_area = models.ForeignKey(ServiceArea, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAWN)
    due_on = models.DateField()
    observation_note = models.CharField(max_length=300, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The manager tags the sample's findings; they roll up on the learning page (DESIGN section 9).
    themes = models.ManyToManyField(Theme, blank=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "manager__full_name"]
        constraints = [models.UniqueConstraint(fields=["round", "manager"], name="dip_sample_one_per_manager")]

    def __str__(self) -> str:
        return f"{self.round}: {self.manager}"


class DipSampleItem(models.Model):
    class Result(models.TextChoices):
        MET = "met", "Met"
        PARTLY = "partly_met", "Partly met"
        NOT_MET = "not_met", "Not met"

    sample = models.ForeignKey(DipSample, on_delete=models.CASCADE, related_name="items")
    case_file = models.ForeignKey(CaseFile, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    result = models.CharField(max_length=20, choices=Result.choices, blank=True)
    note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["sample", "position"]
        constraints = [models.UniqueConstraint(fields=["sample", "case_file"], name="dip_item_once")]

    def __str__(self) -> str:
        return f"{self.sample_id}: {self.case_file_id}"


# --- thematic, ad-hoc and multi-agency audits -------------------------------------------------------
class AuditPlan(models.Model):
    """The annual audit plan (years end 31 March): its items and its reviews."""

    year_starting = models.PositiveSmallIntegerField(unique=True, help_text="2026 for April 2026 to March 2027.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year_starting"]

    def __str__(self) -> str:
        return f"Audit plan {self.year_starting}–{(self.year_starting + 1) % 100:02d}"


class AuditPlanItem(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "Under way"
        COMPLETE = "complete", "Complete"
        DEFERRED = "deferred", "Deferred"

    plan = models.ForeignKey(AuditPlan, on_delete=models.CASCADE, related_name="items")
    theme = models.CharField(max_length=200)
    month = models.DateField()
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(max_length=300)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "month"]

    def __str__(self) -> str:
        return self.theme


class AuditPlanReview(models.Model):
    class Body(models.TextChoices):
        QA_TEAM = "qa_team", "QA team"
        SENIOR_LEADERSHIP = "senior_leadership", "Senior leadership team"
        BOARD = "board", "Practice and performance board"

    plan = models.ForeignKey(AuditPlan, on_delete=models.CASCADE, related_name="reviews")
    body = models.CharField(max_length=30, choices=Body.choices)
    reviewed_on = models.DateField()
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["plan", "reviewed_on"]

    def __str__(self) -> str:
        return f"{self.get_body_display()} review, {self.reviewed_on}"


class ProgrammeAudit(models.Model):
    """A thematic, ad-hoc or multi-agency audit: a process, not a row (DESIGN section 4)."""

    class Kind(models.TextChoices):
        THEMATIC = "thematic", "Thematic audit"
        AD_HOC = "ad_hoc", "Ad-hoc audit"
        MULTI_AGENCY = "multi_agency", "Multi-agency audit"

    class Status(models.TextChoices):
        PLANNING = "planning", "Planning"
        SAMPLED = "sampled", "Cases sampled"
        IN_PROGRESS = "in_progress", "Under way"
        REPORTED = "reported", "Findings reported"
        CLOSED = "closed", "Closed"

    class Reason(models.TextChoices):
        CONCERN = "concern", "A concern"
        CHILD = "child", "A child"
        SIGNAL = "signal", "A performance signal"
        PLAN = "plan", "The audit plan"
        OTHER = "other", "Another reason"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNING)
    plan_item = models.ForeignKey(
        AuditPlanItem, null=True, blank=True, on_delete=models.PROTECT, related_name="programme_audits"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices, default=Reason.PLAN)
    reason_detail = models.TextField(blank=True)
    # An ad-hoc audit opened for one child, from the child page.
    case_file = models.ForeignKey(CaseFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    tool_version = models.ForeignKey(ToolVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Sample criteria over open and closed case files (see audits.services.sampling).
    criteria = models.JSONField(default=dict, blank=True)
    sample_size = models.PositiveSmallIntegerField(default=10)
    auditors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="programme_audits")
    due_on = models.DateField(null=True, blank=True)
    findings = models.TextField(blank=True)
    recommendations = models.TextField(blank=True)
    # A multi-agency audit run by the partnership: its themes, findings and actions recorded here.
    partnership_run = models.BooleanField(default=False)
    partnership_themes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class ProgrammeAction(models.Model):
    """The action plan of a thematic, ad-hoc or multi-agency audit (it joins the board's log)."""

    programme = models.ForeignKey(ProgrammeAudit, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.description[:60]


class PartnerSection(models.Model):
    """A section of a multi-agency audit assigned to one partner contributor, who sees only it."""

    programme = models.ForeignKey(ProgrammeAudit, on_delete=models.CASCADE, related_name="partner_sections")
    partner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="partner_sections")
    agency = models.CharField(max_length=100, help_text="For example: police, health, education.")
    title = models.CharField(max_length=200)
    prompt = models.TextField(blank=True)
    content = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "agency"]

    def __str__(self) -> str:
        return f"{self.agency}: {self.title}"


# --- moderation ------------------------------------------------------------------------------------
class ModerationReason(models.TextChoices):
    RANDOM = "random", "Chosen at random"
    INADEQUATE = "inadequate", "Every Inadequate grade is moderated"
    OUTSTANDING = "outstanding", "Every Outstanding grade is moderated"
    NEW_AUDITOR = "new_auditor", "One of a new auditor's first three audits"
    MANUAL = "manual", "Added by the QA team"


class QualityRating(models.TextChoices):
    YES = "yes", "Yes"
    PARTLY = "partly", "Partly"
    NO = "no", "No"


class Moderation(models.Model):
    """The QA team's moderation of one audit. Both grades are kept: the auditor's on the audit
    and its answers, the moderator's here; the moderated grade is the one reported."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    audit = models.OneToOneField(Audit, on_delete=models.PROTECT, related_name="moderation")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.WAITING)
    reason = models.CharField(max_length=20, choices=ModerationReason.choices)
    manual_reason = models.CharField(max_length=300, blank=True)
    selected_at = models.DateTimeField()
    selected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="moderations"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    # The overall grade: agree, or a different grade with a reason.
    overall_agrees = models.BooleanField(null=True, blank=True)
    overall_grade = models.CharField(max_length=30, choices=Grade.choices, blank=True)
    overall_reason = models.TextField(blank=True)
    feedback = models.TextField(blank=True, help_text="To the auditor, in strengths-based terms.")
    # An optional rating of the audit's own quality.
    quality_evidence = models.CharField(max_length=10, choices=QualityRating.choices, blank=True)
    quality_lived_experience = models.CharField(max_length=10, choices=QualityRating.choices, blank=True)
    quality_strengths_language = models.CharField(max_length=10, choices=QualityRating.choices, blank=True)
    version = models.PositiveIntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The auditor's response to the moderation.
    auditor_response = models.TextField(blank=True)
    auditor_responded_at = models.DateTimeField(null=True, blank=True)
    response_version = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["selected_at", "pk"]
        indexes = [models.Index(fields=["status", "selected_at"], name="moderation_queue")]

    def __str__(self) -> str:
        return f"Moderation of audit {self.audit_id}"

    @property
    def auditor_grade(self) -> str:
        return self.audit.overall_grade

    @property
    def moderated_grade(self) -> str:
        """The moderator's overall grade: the auditor's when they agree."""
        return self.audit.overall_grade if self.overall_agrees else self.overall_grade


class ElementModeration(models.Model):
    """The moderator's view of one element: agree, or a different grade with a reason."""

    moderation = models.ForeignKey(Moderation, on_delete=models.CASCADE, related_name="elements")
    element = models.ForeignKey(Element, on_delete=models.PROTECT, related_name="+")
    agrees = models.BooleanField(null=True, blank=True)
    grade = models.CharField(max_length=30, choices=Grade.choices, blank=True)
    reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["moderation", "element__position"]
        constraints = [models.UniqueConstraint(fields=["moderation", "element"], name="element_moderation_once")]

    def __str__(self) -> str:
        return f"{self.moderation_id}: {self.element_id}"


class CalibrationExercise(models.Model):
    """Several auditors grade the same anonymised audit, then see the spread side by side."""

    class Status(models.TextChoices):
        OPEN = "open", "Open for grading"
        CLOSED = "closed", "Closed: results shown"

    title = models.CharField(max_length=200)
    # The audit copied (seen by the QA team only); the copy below carries no identifying fields.
    source_audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="+")
    anonymised = models.JSONField(default=dict, help_text="The copy: elements, answers and text, anonymised.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="calibration_exercises")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class CalibrationResponse(models.Model):
    exercise = models.ForeignKey(CalibrationExercise, on_delete=models.CASCADE, related_name="responses")
    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # {"A1": {"grade": "good", "reason": "..."}, ...}
    element_grades = models.JSONField(default=dict, blank=True)
    overall_grade = models.CharField(max_length=30, choices=Grade.choices, blank=True)
    overall_reason = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["exercise", "auditor__full_name"]
        constraints = [models.UniqueConstraint(fields=["exercise", "auditor"], name="calibration_response_once")]

    def __str__(self) -> str:
        return f"{self.exercise_id}: {self.auditor_id}"


class AuditorTraining(models.Model):
    """An auditor's training date (DESIGN section 4: training dates are recorded)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="auditor_training")
    trained_on = models.DateField()
    course = models.CharField(max_length=200)
    notes = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["person__full_name", "-trained_on"]

    def __str__(self) -> str:
        return f"{self.person}: {self.course} ({self.trained_on})"
