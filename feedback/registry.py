"""Hooks, loaders and sweeps the feedback app registers at start-up (AppConfig.ready)."""

from __future__ import annotations


def register_all() -> None:
    from . import framework_loaders
    from .services import alerts, links, participation, questionnaires, responses, triage, voices

    for module in (questionnaires, participation, responses, triage, links, alerts, voices):
        module.register()
    framework_loaders.register()
