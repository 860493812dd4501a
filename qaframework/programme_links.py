"""The audit programme's pages a person has, for "my work" (only the ones their role gives)."""

from __future__ import annotations

from django.urls import reverse

from audits import permissions as audit_permissions
from audits.services.concern_process import can_view_register
from audits.services.dip_samples import can_set_dip_sample_theme, can_view_dip_sample_summary
from audits.services.early_help import can_allocate_early_help
from boards.links import programme_links as board_links
from clinics.links import programme_links as clinic_links
from feedback.links import programme_links as feedback_links
from observations.links import programme_links as observation_links
from organisation.models import Duty, Role
from organisation.scope import Scope
from performance.links import programme_links as performance_links

from .qa_settings import can_read_settings


def programme_links(scope: Scope) -> list[tuple[str, str]]:
    """(label, url) pairs, in the order a person works through them."""
    partner_only = audit_permissions.is_partner_only(scope)
    manager = audit_permissions.can_list_audits(scope)
    links: list[tuple[str, str, bool]] = [
        ("Audit programme progress", "audit-programme-progress", manager),
        ("Immediate safeguarding concerns", "audits:concern-list", manager),
        ("The child of concern register", "audits:concern-register", can_view_register(scope)),
        (
            "Your dip samples",
            "audits:my-dip-samples",
            scope.has_role(Role.TEAM_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE),
        ),
        ("Dip-sample results by team", "audits:dip-sample-summary", can_view_dip_sample_summary(scope)),
        ("This month's dip-sample theme", "audits:dip-sample-rounds", can_set_dip_sample_theme(scope)),
        ("Moderation queue", "audits:moderation-queue", scope.is_qa),
        ("Grade agreement after moderation", "audits:agreement", manager),
        ("Calibration exercises", "audits:calibration-list", scope.is_qa or scope.has_duty(Duty.AUDITOR)),
        ("Auditor training dates", "audits:auditor-training", scope.is_qa or scope.has_duty(Duty.AUDITOR)),
        ("Monthly allocation", "audits:allocation-list", scope.is_qa),
        ("Allocate an audit by hand", "audits:allocate", audit_permissions.can_allocate_by_hand(scope)),
        ("Thematic, ad-hoc and multi-agency audits", "audits:programme-list", manager and not partner_only),
        ("The annual audit plan", "audits:audit-plan", manager and not partner_only),
        ("Early help audits to allocate", "audits:early-help-allocate", can_allocate_early_help(scope)),
        ("Your sections of multi-agency audits", "audits:partner-sections", scope.has_role(Role.PARTNER_CONTRIBUTOR)),
        ("Actions for improvement", "audits:action-list", bool(scope.user_id)),
        *observation_links(scope),
        *feedback_links(scope),
        *performance_links(scope),
        *clinic_links(scope),
        *board_links(scope),
        ("QA settings", "qa-settings", can_read_settings(scope)),
    ]
    made = [(label, reverse(name)) for label, name, allowed in links if allowed]
    if scope.has_duty(Duty.AUDITOR):
        # Their own agreement with the moderators: for them (and the QA team) only.
        made.append(("Your grades and the moderators'", reverse("audits:agreement-auditor", args=[scope.user_id])))
    return made
