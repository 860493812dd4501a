"""The small registry through which a lower app starts work in a higher one.

Imports point downwards only (STYLE.md). When a lower app's service must let a higher app act
(a confirmed allocation creates a participation task), the higher app registers a function
here in its ``AppConfig.ready`` and the lower app calls every function registered under the
hook's name, in the same transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

_registry: dict[str, list[Callable[..., Any]]] = defaultdict(list)


def register(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """Register ``fn`` under ``name``; registering the same function twice is a no-op."""
    if fn not in _registry[name]:
        _registry[name].append(fn)
    return fn


def call(name: str, **kwargs: Any) -> list[Any]:
    """Call every function registered under ``name`` with keyword arguments, in order."""
    return [fn(**kwargs) for fn in _registry.get(name, [])]


def registered(name: str) -> list[Callable[..., Any]]:
    return list(_registry.get(name, []))


def register_modules(names: tuple[str, ...]) -> None:
    """Call ``register()`` in each named module (an app's ``AppConfig.ready``); a module the app does
    not have is skipped, but an import error inside one is not."""
    from importlib import import_module

    for name in names:
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        if hasattr(module, "register"):
            module.register()
