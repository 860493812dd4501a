"""Hooks the boards app registers at start-up (AppConfig.ready)."""

from __future__ import annotations

from importlib import import_module

_MODULES = ("boards.services.learning",)


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
