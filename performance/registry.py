"""Hooks, loaders, jobs and sweeps the performance app registers at start-up (AppConfig.ready)."""

from __future__ import annotations


def register_all() -> None:
    from . import framework_loaders
    from .services import annex_a, catalogue, figures, signals

    for module in (framework_loaders, catalogue, figures, annex_a, signals):
        module.register()
