"""Hooks, loaders and sweeps the observations app registers at start-up (AppConfig.ready)."""

from __future__ import annotations


def register_all() -> None:
    from . import framework_loaders
    from .services import observations, weeks

    for module in (observations, weeks):
        module.register()
    framework_loaders.register()
