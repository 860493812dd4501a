"""Performance data managers can trust (DESIGN section 7; seed 7 and 8).

* The indicator catalogue (framework content, loaded by ``load_framework``; BI and the QA team
  edit targets and add local indicators).
* BI's figures of record (imported from CSV) and benchmarks; the authority's 0–17 population.
* Annex A workbooks kept as dated snapshots whose events merge by child and event date, and the
  "app estimates" computed from them.
* Signals: XmR limits from a fixed baseline, and the points that break them.

A scope is the authority, a service area or a team; ``scope_key`` ("authority", "area:<code>",
"team:<code>") makes a value unique per indicator, period and scope.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from organisation.models import CaseFile, ServiceArea, Team


class IndicatorType(models.TextChoices):
    STOCK = "stock", "Stock (a month-end snapshot)"
    FLOW = "flow", "Flow (a count per month)"
    PERCENTAGE = "percentage", "Percentage (always shown with its n)"
    RATE = "rate", "Rate per 10,000 children aged 0–17"
    MONEY = "money", "Money"
    NARRATIVE = "narrative", "Narrative only"


class Source(models.TextChoices):
    ANNEX_A = "annex_a", "Annex A"
    CIN_CENSUS = "cin_census", "CIN Census"
    SSDA903 = "ssda903", "SSDA903"
    LOCAL = "local", "Local monitoring"


class Basket(models.TextChoices):
    FRONT_DOOR = "front_door", "Front door"
    CHILD_PROTECTION = "child_protection", "Child protection"
    CHILDREN_IN_CARE = "children_in_care", "Children in care"
    EARLY_HELP = "early_help", "Early help"
    WORKFORCE = "workforce", "Workforce"
    TEAM = "team", "Team dashboard basics"


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class Indicator(models.Model):
    """One measure. Demand and threshold measures carry no target and no good/bad colouring."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    brief = models.TextField(help_text="What the data may be showing (seed section 7).")
    seed_measure = models.CharField(max_length=200, blank=True, help_text="The seed's row this comes from.")
    sources = models.JSONField(default=list, help_text="Source values, e.g. ['annex_a', 'cin_census'].")
    owner = models.CharField(max_length=150, blank=True, help_text="Who supplies a local measure.")
    type = models.CharField(max_length=20, choices=IndicatorType.choices)
    unit = models.CharField(max_length=40, blank=True)
    numerator = models.CharField(max_length=300, blank=True)
    denominator = models.CharField(max_length=300, blank=True)
    period_rule = models.CharField(max_length=300, blank=True)
    baskets = models.JSONField(default=list, blank=True)
    demand_measure = models.BooleanField(default=False)
    # Targets only for timeliness and compliance measures.
    target_allowed = models.BooleanField(default=False)
    target = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    direction = models.CharField(max_length=10, choices=Direction.choices, blank=True)
    # Lowest scope shown: workforce rates at service level only, rates per 10,000 at authority.
    lowest_scope = models.CharField(
        max_length=20, choices=[("team", "Team"), ("area", "Service area"), ("authority", "Authority")], default="team"
    )
    # The Annex A computation behind the app's estimate (performance/annex_a), if any.
    estimate_key = models.CharField(max_length=60, blank=True)
    local = models.BooleanField(default=False, help_text="Added in the app by BI or the QA team.")
    example_content = models.BooleanField(default=True)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target__isnull=True) | Q(target_allowed=True), name="indicator_target_allowed"
            ),
            models.CheckConstraint(
                condition=~(Q(demand_measure=True) & Q(target_allowed=True)), name="indicator_demand_has_no_target"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Population(models.Model):
    """The authority's children aged 0–17 (ONS mid-year estimate) for a year."""

    year = models.PositiveSmallIntegerField(unique=True)
    aged_0_to_17 = models.PositiveIntegerField()
    source = models.CharField(max_length=150, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}: {self.aged_0_to_17}"


class ScopedValue(models.Model):
    """Shared columns of a value for an indicator, a period and a scope."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    scope_key = models.CharField(max_length=60)
    service_area = models.ForeignKey(ServiceArea, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    numerator = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    denominator = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.scope_key} {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"


class FigureOfRecord(ScopedValue):
    """BI's value: what the council reports elsewhere. Re-import replaces it."""

    import_batch = models.ForeignKey(
        "core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "scope_key", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_start", "period_end", "scope_key"], name="figure_of_record_unique"
            ),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="figure_period_order"),
        ]
        indexes = [models.Index(fields=["scope_key", "indicator", "period_start"], name="figure_scope_indicator")]

    def __str__(self) -> str:
        return super().__str__()


class Comparator(models.TextChoices):
    STATISTICAL_NEIGHBOURS = "statistical_neighbours", "Statistical neighbours"
    ENGLAND = "england", "England"
    REGION = "region", "Region"


class Benchmark(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="benchmarks")
    period_start = models.DateField()
    period_end = models.DateField()
    comparator = models.CharField(max_length=30, choices=Comparator.choices)
    value = models.DecimalField(max_digits=14, decimal_places=2)
    import_batch = models.ForeignKey(
        "core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["indicator", "comparator", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_start", "period_end", "comparator"], name="benchmark_unique"
            ),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="benchmark_period_order"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.comparator} {self.period_start:%Y-%m-%d}"


# --- Annex A ----------------------------------------------------------------------------------------
class AnnexASnapshot(models.Model):
    """One imported workbook, kept as a dated snapshot (the file itself is not kept: only the
    identifiers, dates and codes the definitions use, as events)."""

    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, unique=True)
    extracted_on = models.DateField(help_text="The date the workbook covers up to (its latest event).")
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rows_read = models.PositiveIntegerField(default=0)
    events_added = models.PositiveIntegerField(default=0)
    events_updated = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"Annex A {self.file_name} ({self.extracted_on:%d %B %Y})"


class AnnexAEvent(models.Model):
    """One row of an Annex A list, merged by (list, child, event date) across workbooks.

    ``codes`` keeps only what definitions use (e.g. referral outcome, closure reason, plan
    category, team code, other dates such as an assessment's authorisation)."""

    list_number = models.PositiveSmallIntegerField()
    child_id = models.CharField(max_length=40)
    event_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    codes = models.JSONField(default=dict, blank=True)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    case_file = models.ForeignKey(CaseFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    first_snapshot = models.ForeignKey(AnnexASnapshot, on_delete=models.PROTECT, related_name="+")
    last_snapshot = models.ForeignKey(AnnexASnapshot, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["list_number", "child_id", "event_date"]
        constraints = [
            models.UniqueConstraint(fields=["list_number", "child_id", "event_date"], name="annex_a_event_once")
        ]
        indexes = [
            models.Index(fields=["list_number", "event_date"], name="annex_a_list_date"),
            models.Index(fields=["child_id"], name="annex_a_child"),
        ]

    def __str__(self) -> str:
        return f"List {self.list_number}: {self.child_id} on {self.event_date:%Y-%m-%d}"


class AnnexAUpload(models.Model):
    """A workbook uploaded on the Annex A page, held only until its import job has run.

    Large workbooks are imported by a job (core.jobs), and a job's payload is no place for
    megabytes: the file waits here and is emptied as soon as the job has read it (least data)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be imported"
        IMPORTED = "imported", "Imported"
        ALREADY = "already", "Already imported: nothing changed"
        REFUSED = "refused", "Not imported: the file could not be read"
        FAILED = "failed", "Failed"

    file_name = models.CharField(max_length=255)
    content = models.BinaryField(blank=True, default=b"")
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    message = models.CharField(max_length=500, blank=True)
    snapshot = models.ForeignKey(AnnexASnapshot, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"Annex A upload {self.file_name} ({self.get_status_display()})"


class Estimate(ScopedValue):
    """An "app estimate" computed from the merged Annex A events, for a month and a scope."""

    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["indicator", "scope_key", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_start", "period_end", "scope_key"], name="estimate_unique"
            )
        ]
        indexes = [models.Index(fields=["scope_key", "indicator", "period_start"], name="estimate_scope_indicator")]

    def __str__(self) -> str:
        return super().__str__()


# --- signals -------------------------------------------------------------------------------------------
class SeriesKind(models.TextChoices):
    RECORD = "record", "Figures of record"
    ESTIMATE = "estimate", "App estimates"


class Baseline(models.Model):
    """Fixed XmR limits for one series (indicator, scope, kind): recalculated only on request."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="baselines")
    scope_key = models.CharField(max_length=60)
    series = models.CharField(max_length=20, choices=SeriesKind.choices)
    first_month = models.DateField()
    last_month = models.DateField()
    points = models.PositiveSmallIntegerField()
    mean = models.DecimalField(max_digits=14, decimal_places=4)
    moving_range = models.DecimalField(max_digits=14, decimal_places=4)
    upper_limit = models.DecimalField(max_digits=14, decimal_places=4)
    lower_limit = models.DecimalField(max_digits=14, decimal_places=4)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["indicator", "scope_key", "series"], name="baseline_one_per_series"),
            models.CheckConstraint(condition=Q(points__gte=15), name="baseline_at_least_15_points"),
        ]

    def __str__(self) -> str:
        return f"Baseline {self.indicator_id} {self.scope_key} ({self.get_series_display()})"


class Signal(models.Model):
    class Rule(models.TextChoices):
        BEYOND_LIMITS = "beyond_limits", "A point beyond the process limits"
        RUN_OF_7 = "run_of_7", "A run of 7 points on one side of the mean"

    class Status(models.TextChoices):
        NEW = "new", "To look at"
        CONFIRMED = "confirmed", "Confirmed"
        DISMISSED = "dismissed", "Dismissed"

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="signals")
    scope_key = models.CharField(max_length=60)
    series = models.CharField(max_length=20, choices=SeriesKind.choices)
    rule = models.CharField(max_length=20, choices=Rule.choices)
    month = models.DateField(help_text="The point that signals (the last of a run).")
    value = models.DecimalField(max_digits=14, decimal_places=2)
    baseline = models.ForeignKey(Baseline, on_delete=models.PROTECT, related_name="signals")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    programme_audit = models.ForeignKey(
        "audits.ProgrammeAudit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "scope_key", "series", "rule", "month"], name="signal_once_per_point"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()}: {self.indicator_id} {self.scope_key} {self.month:%Y-%m}"
