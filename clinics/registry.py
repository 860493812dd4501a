"""Hooks, loaders and job handlers the clinics app registers at start-up (AppConfig.ready)."""

from __future__ import annotations

from importlib import import_module

# Each module has a ``register()``; a module not written yet is skipped.
_MODULES = ("clinics.framework_loaders", "clinics.pdf_jobs", "clinics.services.reports")


def register_all() -> None:
    for name in _MODULES:
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        if hasattr(module, "register"):
            module.register()
