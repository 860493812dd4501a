"""Audit tools and audits for tests: a small social work tool version with elements of every
applicability, and allocation through the real service."""

from __future__ import annotations

import datetime

from audits.models import AuditTool, Element, Question, Scale, ScaleOption, ToolVersion
from audits.services.allocation import audit_allocate

GRADES = [
    ("outstanding", "Outstanding", "Making a demonstrable, sustained difference for this child."),
    ("good", "Good", "The child is helped and protected; gaps are minor."),
    ("requires_improvement", "Requires improvement to be good", "Safe, but help is not yet making the difference."),
    ("inadequate", "Inadequate", "Serious or widespread failures leave the child at risk of harm."),
]
SCALES = {
    "grade": ("Grades", GRADES),
    "yes-no-na": ("Yes, no or not applicable", [("yes", "Yes", ""), ("no", "No", ""), ("na", "Not applicable", "")]),
    "progress": (
        "Progress",
        [
            ("much_worse", "Much worse", ""),
            ("worse", "Worse", ""),
            ("no_change", "No change", ""),
            ("better", "Better", ""),
            ("much_better", "Much better", ""),
        ],
    ),
}
ALL_BUT_EH = ["child_in_need", "child_protection", "child_in_care", "care_leaver"]
ELEMENTS = [
    # code, section, title, applies_to
    ("A1", "A", "Reasons for involvement and proportionality", []),
    ("A2", "A", "Consent", []),
    ("B1", "B", "Assessment", ["child_in_need", "child_protection"]),
    ("C1", "C", "Quality and consistency of relationships", ["child_in_care"]),
    ("D1", "D", "Relationships and loneliness", ["care_leaver"]),
    ("E", "E", "Conferences, reviews and core groups", ALL_BUT_EH),
    ("F", "F", "Early help", ["early_help"]),
]


def scales() -> dict[str, Scale]:
    made = {}
    for key, (name, options) in SCALES.items():
        scale, _ = Scale.objects.get_or_create(key=key, defaults={"name": name})
        for position, (code, label, description) in enumerate(options):
            ScaleOption.objects.get_or_create(
                scale=scale, code=code, defaults={"label": label, "description": description, "position": position}
            )
        made[key] = scale
    return made


def tool_version(
    *, key: str = "social-work", number: int = 1, status: str = ToolVersion.Status.PUBLISHED
) -> ToolVersion:
    """A published tool version with elements A1, A2, B1, C1, D1, E, F; A2 asks 'Consent recorded?'."""
    made = scales()
    tool, _ = AuditTool.objects.get_or_create(key=key, defaults={"name": f"Tool {key}", "kinds": ["monthly"]})
    version = ToolVersion.objects.create(
        tool=tool,
        number=number,
        status=status,
        example_content=True,
        published_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC) if status == "published" else None,
    )
    for position, (code, section, title, applies_to) in enumerate(ELEMENTS):
        element = Element.objects.create(
            tool_version=version,
            code=code,
            section=section,
            title=title,
            guidance=f"Guidance for {code}",
            prompts=[f"Prompt one for {code}", f"Prompt two for {code}"],
            applies_to=applies_to,
            position=position,
        )
        if code == "A2":
            Question.objects.create(
                element=element,
                code="consent-recorded",
                text="Is consent recorded?",
                scale=made["yes-no-na"],
                indicator="consent-recorded",
            )
    return version


def allocate(case_file, auditor, *, version=None, actor=None, due_on=None, today=None, **kwargs):
    """Allocate through the real service (freezing the case, notifying).

    A monthly audit unless the auditor already has this month's (one per auditor and month is a
    database rule); then an ad-hoc one, so tests can give one auditor several audits.
    """
    from audits.models import Audit

    day = today or datetime.date(2026, 11, 2)
    if "kind" not in kwargs:
        taken = Audit.objects.filter(auditor=auditor, month=day.replace(day=1), kind="monthly").exclude(
            status="cancelled"
        )
        kwargs["kind"] = (
            "ad_hoc" if taken.exists() or case_file.audits.filter(month=day.replace(day=1)).exists() else "monthly"
        )
    return audit_allocate(
        case_file=case_file,
        auditor=auditor,
        tool_version=version or tool_version(),
        due_on=due_on or datetime.date(2026, 11, 30),
        actor=actor or auditor,
        today=day,
        **kwargs,
    )


def mark_submitted(audit, *, grade: str = "good", on: datetime.date | None = None, **fields):
    """Put an audit in the submitted state directly (for tests of what happens after
    submission; the form tests go through the real audit_submit service)."""
    from django.utils import timezone

    from audits.models import AuditStatus, ElementAnswer

    day = on or datetime.date(2026, 11, 10)
    for element in audit.tool_version.elements.all():
        if element.applies_to_case_type(audit.case_type):
            ElementAnswer.objects.update_or_create(
                audit=audit,
                element=element,
                defaults={
                    "grade": grade,
                    "working_well": f"Working well {element.code}",
                    "even_better_if": f"Even better if {element.code}",
                    "evidence": f"Evidence {element.code}",
                    "version": 1,
                },
            )
    values = {
        "status": AuditStatus.SUBMITTED,
        "overall_grade": grade,
        "reported_grade": grade,
        "impact_for_child": "The impact for the child",
        "conversation_on": day,
        "participants": ["practitioner", "team_manager"],
        "submitted_at": timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0))),
        "response_due_on": day + datetime.timedelta(days=7),
        "reflection_after_due_on": day + datetime.timedelta(days=28),
        "overall_version": 1,
        **fields,
    }
    for name, value in values.items():
        setattr(audit, name, value)
    audit.save()
    return audit
