"""What features declare for each other, kept on the app: nothing is wired by importing a module.

A feature marks a function with a decorator (a dashboard section, a chronology source); the mark
does nothing on import. The feature's `register(app)` then names the modules whose marked
functions it contributes, and they are added to a registry stored in `app.extensions`.
"""
from collections.abc import Callable, Iterator
from types import FunctionType, ModuleType
from typing import TypeVar

from flask import Flask, current_app

T = TypeVar("T")


def of(name: str, factory: Callable[[], T], app: Flask | None = None) -> T:
    """The app's registry called `name` (made on first use)."""
    return (app or current_app).extensions.setdefault(f"bridge.{name}", factory())


def marked(modules: tuple[ModuleType, ...], attribute: str) -> Iterator[tuple[Callable, object]]:
    """(function, its mark) for each function defined in these modules that carries the mark."""
    for module in modules:
        for fn in vars(module).values():
            # type(), not isinstance(): a module's context proxies (current_user) must not be touched
            if type(fn) is FunctionType and fn.__module__ == module.__name__ and hasattr(fn, attribute):
                yield fn, getattr(fn, attribute)
