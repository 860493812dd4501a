"""The voices of families, reviewing officers and the workforce (DESIGN section 6; seed 2, 3, 6.4).

* Family feedback: every allocated audit gets a participation task; the TM confirms contact is
  safe; the participation officer asks the family (by phone, in person, or through a secure link
  the family completes alone) using a versioned questionnaire, and records one outcome. Every
  free-text answer is triaged by a named QA officer within one working day.
* Reviewing officers and conference chairs record good-practice alerts and practice concerns.
* Other voices: complaints, compliments, the Children in Care Council, the workforce — as dated,
  themed entries.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from audits.models import Audit, Progress, Theme
from organisation.models import CaseFile, ServiceArea, Team


# --- questionnaires (Appendix 1, example content) -----------------------------------------------------
class Audience(models.TextChoices):
    CHILD = "child", "A child or young person"
    PARENT = "parent", "A parent or carer"


class Questionnaire(models.Model):
    """A versioned questionnaire (loaded by ``load_framework``; never edited in place).

    ``questions``: [{"code": "changed", "text": "...", "kind": "open" | "choice" | "progress" |
    "yes_no", "hint": "...", "options": [{"code": ..., "label": ...}]}] — at most 8, open first.
    """

    key = models.SlugField(max_length=60)
    version = models.PositiveSmallIntegerField(default=1)
    audience = models.CharField(max_length=20, choices=Audience.choices)
    title = models.CharField(max_length=150)
    intro = models.TextField(blank=True)
    questions = models.JSONField(default=list)
    example_content = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key", "-version"]
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="questionnaire_key_version_unique")]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"


# --- participation tasks ---------------------------------------------------------------------------
class Outcome(models.TextChoices):
    COMPLETED = "completed", "Completed"
    DECLINED = "declined", "Declined"
    NO_REPLY = "no_reply", "No reply"
    NOT_APPROPRIATE = "not_appropriate", "Not appropriate"


class ParticipationTask(models.Model):
    """Seeking the family's views for one audit: the TM's safety check, contact attempts, and one
    outcome."""

    class Status(models.TextChoices):
        AWAITING_SAFETY = "awaiting_safety", "Waiting for the team manager's safety check"
        READY = "ready", "Ready to contact the family"
        CLOSED = "closed", "Outcome recorded"

    audit = models.OneToOneField(Audit, on_delete=models.PROTECT, related_name="participation_task")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="participation_tasks"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AWAITING_SAFETY)
    created_at = models.DateTimeField(auto_now_add=True)

    # The TM's safety check, before any contact.
    safety_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    safety_checked_at = models.DateTimeField(null=True, blank=True)
    safe_to_contact = models.BooleanField(null=True, blank=True)
    adults_to_contact = models.CharField(max_length=300, blank=True, help_text="Which adults may be contacted.")
    interpreter_needed = models.BooleanField(default=False)
    interpreter_language = models.CharField(max_length=60, blank=True)
    domestic_abuse_risk = models.BooleanField(default=False)
    safety_notes = models.TextField(blank=True, help_text="Any reason not to contact, or how to contact safely.")

    # The one outcome.
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_reason = models.CharField(max_length=300, blank=True)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "officer"], name="participation_status_officer")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="not_appropriate") | ~Q(outcome_reason=""),
                name="participation_not_appropriate_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="closed") | Q(outcome=""),
                name="participation_outcome_closes",
            ),
        ]

    def __str__(self) -> str:
        return f"Family feedback for audit {self.audit_id}"


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    VISIT = "visit", "Visit"
    LINK = "link", "Secure link sent"


class ContactAttempt(models.Model):
    task = models.ForeignKey(ParticipationTask, on_delete=models.CASCADE, related_name="attempts")
    attempted_on = models.DateField()
    method = models.CharField(max_length=20, choices=ContactMethod.choices)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["task", "attempted_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_method_display()} on {self.attempted_on:%d %B %Y}"


# --- responses ---------------------------------------------------------------------------------------
class Channel(models.TextChoices):
    PHONE = "phone", "By phone"
    IN_PERSON = "in_person", "In person"
    LINK = "link", "Through a secure link"


class Sharing(models.TextChoices):
    NAMED = "named", "Share with the worker, with my name"
    ANONYMOUS = "anonymous", "Share with the worker, without my name"
    NOT_SHARED = "not_shared", "Do not share with the worker"


class Response(models.Model):
    """One person's answers to a questionnaire. Draft until submitted (a link can be saved and
    resumed)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Started"
        SUBMITTED = "submitted", "Submitted"

    task = models.ForeignKey(ParticipationTask, on_delete=models.PROTECT, related_name="responses")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="responses")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    # Who answered, in the family's words ("Mum", "the young person"); a name only if they give one.
    respondent = models.CharField(max_length=60, blank=True)
    respondent_name = models.CharField(max_length=80, blank=True)
    consent_given = models.BooleanField(default=False)
    # {question code: answer} — text for open questions, an option code otherwise.
    answers = models.JSONField(default=dict, blank=True)
    view_of_progress = models.CharField(max_length=20, choices=Progress.choices, blank=True)
    sharing = models.CharField(max_length=20, choices=Sharing.choices, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["task", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(consent_given=True) & ~Q(sharing="")),
                name="response_submitted_has_consent_and_sharing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire.title}: response {self.pk}"


class SecureLink(models.Model):
    """A link the family completes alone, after the safety check. Only the token's SHA-256 hash is
    stored; the token itself is shown once to the officer who sends it."""

    task = models.ForeignKey(ParticipationTask, on_delete=models.PROTECT, related_name="links")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="+")
    response = models.OneToOneField(
        Response, null=True, blank=True, on_delete=models.PROTECT, related_name="secure_link"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    first_visited_at = models.DateTimeField(null=True, blank=True)
    last_visited_at = models.DateTimeField(null=True, blank=True)
    visits = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Secure link {self.pk} for task {self.task_id}"


class TriageItem(models.Model):
    """A free-text answer a named QA officer reads within one working day."""

    class Status(models.TextChoices):
        OPEN = "open", "To read"
        DONE = "done", "Read"

    class Action(models.TextChoices):
        NONE = "none", "Nothing further needed"
        PASSED_TO_TM = "passed_to_tm", "Passed to the team manager"
        SAFEGUARDING = "safeguarding", "Safeguarding referral made"
        OTHER = "other", "Something else (see the note)"

    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="triage_items")
    question_code = models.SlugField(max_length=60)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="triage_items")
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    action = models.CharField(max_length=20, choices=Action.choices, blank=True)
    note = models.CharField(max_length=500, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"], name="triage_status_due")]
        constraints = [models.UniqueConstraint(fields=["response", "question_code"], name="triage_once_per_answer")]

    def __str__(self) -> str:
        return f"Triage {self.pk} ({self.get_status_display()})"


# --- reviewing officers and conference chairs (seed 6.4) ----------------------------------------------
class DisputeStage(models.Model):
    """A stage of the dispute-resolution process (configurable; example content loaded by
    ``load_framework``, editable by the Administrator)."""

    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class MeetingKind(models.TextChoices):
    CP_CONFERENCE = "cp_conference", "Child protection conference"
    CP_REVIEW = "cp_review", "Child protection review conference"
    CIC_REVIEW = "cic_review", "Child in care review"
    PATHWAY_REVIEW = "pathway_review", "Pathway plan review"


class ReviewingOfficerAlert(models.Model):
    class Kind(models.TextChoices):
        GOOD_PRACTICE = "good_practice", "Good-practice alert"
        PRACTICE_CONCERN = "practice_concern", "Practice concern"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    case_file = models.ForeignKey(CaseFile, on_delete=models.PROTECT, related_name="reviewing_officer_alerts")
    # Frozen when recorded, like an audit's.
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    service_area = models.ForeignKey(ServiceArea, on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    meeting = models.CharField(max_length=30, choices=MeetingKind.choices)
    meeting_on = models.DateField()
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="+")
    stage = models.ForeignKey(DisputeStage, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts")
    summary = models.TextField()
    resolved_on = models.DateField(null=True, blank=True)
    resolution = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-meeting_on", "-pk"]
        indexes = [models.Index(fields=["meeting_on", "kind"], name="ro_alert_month_kind")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="good_practice") | Q(stage__isnull=False), name="ro_concern_has_stage"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.case_file_id} on {self.meeting_on:%d %B %Y}"


# --- other voices -----------------------------------------------------------------------------------
class VoiceSource(models.TextChoices):
    COMPLAINT = "complaint", "Complaint"
    COMPLIMENT = "compliment", "Compliment"
    CHILDREN_IN_CARE_COUNCIL = "children_in_care_council", "Children in Care Council"
    CORPORATE_PARENTING_BOARD = "corporate_parenting_board", "Corporate Parenting Board"
    PRACTICE_REVIEW = "practice_review", "Learning from a practice review"
    OFSTED_NOTIFICATION = "ofsted_notification", "Ofsted notification"
    STAFF_SURVEY = "staff_survey", "Staff survey"
    FOCUS_GROUP = "focus_group", "Practitioner focus group"
    EXIT_INTERVIEW = "exit_interview", "Exit interviews"
    STAY_INTERVIEW = "stay_interview", "Stay interviews"


# Workforce sources: recorded only as anonymised themes.
WORKFORCE_SOURCES = frozenset(
    {VoiceSource.STAFF_SURVEY, VoiceSource.FOCUS_GROUP, VoiceSource.EXIT_INTERVIEW, VoiceSource.STAY_INTERVIEW}
)
# Survey results are shown only when at least this many people answered.
SURVEY_MIN_RESPONDENTS = 10


class VoiceEntry(models.Model):
    source = models.CharField(max_length=40, choices=VoiceSource.choices)
    happened_on = models.DateField()
    service_area = models.ForeignKey(
        ServiceArea,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Leave empty for the whole service.",
    )
    themes = models.ManyToManyField(Theme, related_name="+")
    title = models.CharField(max_length=150)
    summary = models.TextField()
    # Staff surveys: how many answered, and [{"statement": ..., "percent_agree": n}].
    respondents = models.PositiveIntegerField(null=True, blank=True)
    results = models.JSONField(default=list, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-happened_on", "-pk"]
        verbose_name_plural = "voice entries"
        indexes = [models.Index(fields=["happened_on", "source"], name="voice_date_source")]

    def __str__(self) -> str:
        return self.title

    @property
    def results_suppressed(self) -> bool:
        return self.source == VoiceSource.STAFF_SURVEY and (self.respondents or 0) < SURVEY_MIN_RESPONDENTS
