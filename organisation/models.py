"""Organisation: service areas, teams, people, role assignments, duties and case files."""

from __future__ import annotations

import datetime

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords


class ServiceArea(models.Model):
    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=120)
    service_area = models.ForeignKey(ServiceArea, on_delete=models.PROTECT, related_name="teams")
    history = HistoricalRecords()

    class Meta:
        ordering = ["service_area__name", "name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: object) -> User:
        if not email:
            raise ValueError("A person needs an email address to sign in.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: object) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self._create(email, password, **fields)

    def get_by_natural_key(self, username: str) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Signs in with their email address (unique whatever its case)."""

    email = models.EmailField(max_length=254, unique=True)
    full_name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)
    # For single sign-on later: the identity provider's stable subject identifier.
    external_subject_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can sign in to the administration site.")
    date_joined = models.DateTimeField(auto_now_add=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Role(models.TextChoices):
    """Role names exactly as DESIGN section 1 writes them."""

    PRACTITIONER = "practitioner", "Practitioner"
    TEAM_MANAGER = "team_manager", "Team manager"
    SERVICE_MANAGER = "service_manager", "Service manager"
    HEAD_OF_SERVICE = "head_of_service", "Head of service"
    ASSISTANT_DIRECTOR = "assistant_director", "Assistant director"
    DIRECTOR = "director", "Director"
    CONFERENCE_CHAIR = "conference_chair", "Conference chair"
    IRO = "iro", "Independent reviewing officer"
    QA_OFFICER = "qa_officer", "QA officer"
    QA_MANAGER = "qa_manager", "QA manager"
    PARTICIPATION_OFFICER = "participation_officer", "Participation officer"
    PSW = "principal_social_worker", "Principal social worker"
    BI_OFFICER = "bi_officer", "Business intelligence officer"
    EH_COORDINATOR = "early_help_coordinator", "Early help co-ordinator"
    EH_STRATEGIC_LEAD = "early_help_strategic_lead", "Early help strategic lead"
    PARTNER_CONTRIBUTOR = "partner_contributor", "Partner contributor"
    ADMINISTRATOR = "administrator", "Administrator"


# Which kind of place each role is held in: a team, a service area, or the whole authority.
TEAM_ROLES = frozenset({Role.PRACTITIONER, Role.TEAM_MANAGER, Role.EH_COORDINATOR})
AREA_ROLES = frozenset({Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE, Role.EH_STRATEGIC_LEAD})


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def active_on(self, day: datetime.date) -> RoleAssignmentQuerySet:
        return self.filter(Q(starts_on__lte=day), Q(ends_on__isnull=True) | Q(ends_on__gte=day))


class RoleAssignment(models.Model):
    """A role a person holds, in a team or a service area (or authority-wide), for a period.

    People act up, cover two teams, or are a TM and a practice lead at once: a person may have
    several, and scope is computed from those active on the day.
    """

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=40, choices=Role.choices)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="role_assignments")
    service_area = models.ForeignKey(
        ServiceArea, null=True, blank=True, on_delete=models.PROTECT, related_name="role_assignments"
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True, help_text="For example: acting up while the TM is on leave.")
    history = HistoricalRecords()

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["person__full_name", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="role_assignment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~(Q(team__isnull=False) & Q(service_area__isnull=False)),
                name="role_assignment_team_or_area",
            ),
        ]

    def __str__(self) -> str:
        place = self.team or self.service_area or "authority"
        return f"{self.person}: {self.get_role_display()} ({place})"


class Duty(models.TextChoices):
    AUDITOR = "auditor", "Auditor"
    MODERATOR = "moderator", "Moderator"
    PRACTICE_LEAD = "practice_lead", "Practice lead"


class DutyAssignment(models.Model):
    """Auditing is a duty, not a role: held alongside whatever roles the person has."""

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="duties")
    duty = models.CharField(max_length=30, choices=Duty.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["person__full_name", "duty"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="duty_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_duty_display()}"


class CaseType(models.TextChoices):
    EARLY_HELP = "early_help", "Early help"
    CHILD_IN_NEED = "child_in_need", "Child in need"
    CHILD_PROTECTION = "child_protection", "Child protection"
    CHILD_IN_CARE = "child_in_care", "Child in care"
    CARE_LEAVER = "care_leaver", "Care leaver"


class CaseFile(models.Model):
    """A child's record in the case-management system: only what QA needs (DESIGN section 2)."""

    case_reference = models.CharField(max_length=40, unique=True)
    child_initials = models.CharField(max_length=10)
    birth_year = models.PositiveSmallIntegerField(help_text="Expected year of birth for an unborn baby.")
    unborn = models.BooleanField(default=False)
    case_type = models.CharField(max_length=30, choices=CaseType.choices)
    legal_status = models.CharField(max_length=60, blank=True)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="case_files")
    practitioner = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="case_files")
    chair = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chaired_case_files",
        help_text="Conference chair or independent reviewing officer.",
    )
    family_reference = models.CharField(max_length=40, blank=True, help_text="Siblings share it.")
    restricted = models.BooleanField(default=False)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    # Set by a full-extract import when the case was missing from the file; the QA team
    # confirms what happened. Never closes the case by itself.
    not_in_latest_extract = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["case_reference"]
        indexes = [
            models.Index(fields=["team", "case_type"], name="casefile_team_type"),
            models.Index(fields=["practitioner"], name="casefile_practitioner"),
            models.Index(fields=["family_reference"], name="casefile_family"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="casefile_closed_after_opened",
            ),
            # The import matches references whatever their case; so does uniqueness.
            models.UniqueConstraint(Lower("case_reference"), name="casefile_reference_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.case_reference

    @property
    def is_open(self) -> bool:
        return self.closed_on is None
