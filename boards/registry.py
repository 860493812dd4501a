"""Hooks the boards app registers at start-up (AppConfig.ready)."""

from __future__ import annotations

from core.hooks import register_modules


def register_all() -> None:
    register_modules(("boards.services.learning",))
