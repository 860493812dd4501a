"""Hooks, loaders and job handlers the clinics app registers at start-up (AppConfig.ready)."""

from __future__ import annotations

from core.hooks import register_modules


def register_all() -> None:
    register_modules(("clinics.framework_loaders", "clinics.pdf_jobs", "clinics.services.reports"))
