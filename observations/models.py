"""Practice observations and practice weeks (DESIGN section 5, seed 6.2 and 6.3).

An observation is a staff development record: the observer watches a practitioner (or several)
at a visit or a meeting, with the family's (or the chair's) agreement, records what they saw
against a checklist held as data, and then talks it through with the practitioner. It is only
complete once that reflective discussion is recorded. Only the practitioner, their line manager,
the observer and the QA team see it; the practitioner chooses what learning is shared with the
team, and presents it.

Practice weeks happen twice a year: leaders log what they did and found; the QA team approves
anonymised quotes before they are used in the summary.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from audits.models import Theme
from organisation.models import CaseFile, ServiceArea, Team


class ObservationType(models.TextChoices):
    HOME_VISIT = "home_visit", "Home visit"
    OFFICE_VISIT = "office_visit", "Office visit"
    CP_CONFERENCE = "cp_conference", "Child protection conference"
    REVIEW = "review", "Review meeting"
    CORE_GROUP = "core_group", "Core group"
    CIC_REVIEW = "cic_review", "Child in care review"
    PATHWAY_PLANNING = "pathway_planning", "Pathway planning meeting"
    MULTI_AGENCY = "multi_agency", "Multi-agency meeting"
    SUPERVISION = "supervision", "Supervision"


# Meetings a chair runs: the chair, not the family, agrees to an observer.
CHAIRED_TYPES = frozenset(
    {ObservationType.CP_CONFERENCE, ObservationType.REVIEW, ObservationType.CIC_REVIEW, ObservationType.CORE_GROUP}
)


class CriterionResult(models.TextChoices):
    MET = "met", "Met"
    PARTLY_MET = "partly_met", "Partly met"
    NOT_MET = "not_met", "Not met"
    NOT_OBSERVED = "not_observed", "Not seen at this observation"


class ObservationChecklist(models.Model):
    """What an observer looks for (example content, loaded by ``load_framework``): the section E
    criteria for meetings, a visit checklist, a supervision checklist. Versioned: an observation
    keeps the version it used."""

    key = models.SlugField(max_length=60)
    version = models.PositiveSmallIntegerField(default=1)
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    # Which observation types it is for (ObservationType values).
    types = models.JSONField(default=list)
    # [{"code": "E1", "text": "..."}] in order.
    criteria = models.JSONField(default=list)
    example_content = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="observation_checklist_key_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"


class ConsentBy(models.TextChoices):
    FAMILY = "family", "The family"
    CHAIR = "chair", "The chair of the meeting"


class Observation(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Waiting for the reflective discussion"
        COMPLETED = "completed", "Complete"

    type = models.CharField(max_length=30, choices=ObservationType.choices)
    observed_on = models.DateField()
    observer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="observations_made")
    case_file = models.ForeignKey(
        CaseFile, null=True, blank=True, on_delete=models.PROTECT, related_name="observations"
    )
    # Frozen when recorded, like an audit's: the first practitioner's team at the time.
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="observations")
    service_area = models.ForeignKey(ServiceArea, on_delete=models.PROTECT, related_name="observations")

    # Consent to the observer: an observation exists only when it was given.
    consent_given = models.BooleanField(default=True)
    consent_by = models.CharField(max_length=20, choices=ConsentBy.choices)
    consent_note = models.CharField(max_length=300, blank=True)

    checklist = models.ForeignKey(
        ObservationChecklist, null=True, blank=True, on_delete=models.PROTECT, related_name="observations"
    )
    # {criterion code: {"result": CriterionResult value, "note": "..."}}
    criteria = models.JSONField(default=dict, blank=True)
    strengths = models.TextField(blank=True)
    areas_to_develop = models.TextField(blank=True)
    # The observer tags what they saw; completed observations roll up on the learning page.
    themes = models.ManyToManyField(Theme, blank=True, related_name="+")

    # The reflective discussion: required before the observation is complete.
    discussion_on = models.DateField(null=True, blank=True)
    discussion_notes = models.TextField(blank=True)
    agreed_learning = models.TextField(blank=True)
    training_needs = models.TextField(blank=True)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic version for the observer's form: a stale save is shown, never silently applied.
    version = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-observed_on", "-pk"]
        indexes = [
            models.Index(fields=["observer", "observed_on"], name="observation_observer_date"),
            models.Index(fields=["team", "observed_on"], name="observation_team_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(consent_given=True), name="observation_needs_consent"),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(discussion_on__isnull=False),
                name="observation_complete_after_discussion",
            ),
            models.CheckConstraint(
                condition=Q(discussion_on__isnull=True) | Q(discussion_on__gte=F("observed_on")),
                name="observation_discussion_after_observation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} on {self.observed_on:%d %B %Y}"


class ShareChoice(models.TextChoices):
    UNDECIDED = "", "Not decided yet"
    SHARED = "shared", "Share this learning with the team"
    NOT_SHARED = "not_shared", "Keep it between us"


class ObservationPractitioner(models.Model):
    """A practitioner observed, with their team at the time and their choice of what learning the
    team sees (they present it; seed 6.2)."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="practitioners")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="observations_of_me"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    share_choice = models.CharField(max_length=20, choices=ShareChoice.choices, blank=True, default="")
    shared_learning = models.TextField(blank=True)
    presented_on = models.DateField(null=True, blank=True, help_text="When they presented it to the team.")
    decided_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["observation", "practitioner__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["observation", "practitioner"], name="observation_practitioner_once")
        ]
        indexes = [models.Index(fields=["team", "share_choice"], name="obs_practitioner_team_share")]

    def __str__(self) -> str:
        return f"{self.observation}: {self.practitioner}"


# --- practice weeks ---------------------------------------------------------------------------------
class PracticeWeek(models.Model):
    title = models.CharField(max_length=150)
    starts_on = models.DateField()
    ends_on = models.DateField()
    focus = models.TextField(blank=True, help_text="What leaders are asked to look at this time.")
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="practice_week_ends_after_start")
        ]

    def __str__(self) -> str:
        return self.title


class ActivityKind(models.TextChoices):
    OBSERVATION = "observation", "Observing practice"
    AUDIT_ALONGSIDE = "audit_alongside", "An audit alongside a social worker"
    MEETING_OBSERVED = "meeting_observed", "A meeting observed"
    VISIT = "visit", "A visit to a team or workplace"
    CONVERSATION = "conversation", "A conversation with practitioners or managers"


class QuoteStatus(models.TextChoices):
    NONE = "", "No quote"
    PROPOSED = "proposed", "Waiting for approval"
    APPROVED = "approved", "Approved for use"
    DECLINED = "declined", "Not to be used"


class PracticeWeekActivity(models.Model):
    week = models.ForeignKey(PracticeWeek, on_delete=models.PROTECT, related_name="activities")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30, choices=ActivityKind.choices)
    happened_on = models.DateField()
    service_area = models.ForeignKey(ServiceArea, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    strengths = models.TextField(blank=True)
    areas_to_develop = models.TextField(blank=True)
    # A quote heard in the week: used only once the QA team approves an anonymised wording.
    quote = models.TextField(blank=True)
    quote_status = models.CharField(max_length=20, choices=QuoteStatus.choices, blank=True, default="")
    quote_approved_text = models.TextField(blank=True)
    quote_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["week", "happened_on", "pk"]
        indexes = [models.Index(fields=["week", "kind"], name="pw_activity_week_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.happened_on:%d %B %Y}"
