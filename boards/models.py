"""Boards: the learning loop (DESIGN section 9). The board and assurance-board reports are built in
``boards/report_context.py`` and stored as ``clinics.HighlightReport``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from audits.models import Theme
from organisation.models import ServiceArea


class LearningSummary(models.Model):
    """What the PSW or a practice lead draws from a period's themes, for a service area or all."""

    service_area = models.ForeignKey(
        ServiceArea,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Leave empty for the whole service.",
    )
    period_from = models.DateField()
    period_to = models.DateField()
    title = models.CharField(max_length=150)
    summary = models.TextField()
    themes = models.ManyToManyField(Theme, blank=True, related_name="+")
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_to", "-pk"]
        verbose_name_plural = "learning summaries"
        constraints = [
            models.CheckConstraint(condition=Q(period_from__lte=models.F("period_to")), name="learning_period_order")
        ]

    def __str__(self) -> str:
        return self.title


class ReflectiveDiscussion(models.Model):
    """A reflective case or learning discussion led by a practice lead, the PSW or the QA team. No
    case details and no names of those who took part."""

    class LedBy(models.TextChoices):
        PRACTICE_LEAD = "practice_lead", "A practice lead"
        PSW = "psw", "The principal social worker"
        QA_TEAM = "qa_team", "The QA team"

    held_on = models.DateField()
    service_area = models.ForeignKey(
        ServiceArea,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Leave empty for the whole service.",
    )
    led_by = models.CharField(max_length=20, choices=LedBy.choices)
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    topic = models.CharField(max_length=200)
    themes = models.ManyToManyField(Theme, blank=True, related_name="+")
    attended = models.PositiveSmallIntegerField(help_text="How many took part.")
    learning = models.TextField(help_text="What was learnt and what will change.")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return self.topic
