"""The house rules a newcomer relies on: where code lives, how long it runs on, where settings are read."""
import ast
import re
from pathlib import Path

import pytest

PWA = Path(__file__).resolve().parents[1] / "pwa"
MAX_TOP_MODULES = 6
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 40


def python_files():
    return sorted(PWA.rglob("*.py"))


def test_few_modules_directly_under_the_package():
    """Loose modules are grouped into packages; only the app factory, settings and policy stay on top."""
    top = sorted(p.name for p in PWA.glob("*.py"))
    assert len(top) <= MAX_TOP_MODULES, top


@pytest.mark.parametrize("path", python_files(), ids=lambda p: str(p.relative_to(PWA)))
def test_module_is_short(path):
    """A module over 300 lines does too many things: split it by what changes together."""
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.relative_to(PWA)} has {lines} lines"


def long_functions(path: Path) -> list[str]:
    """The functions in a module whose bodies run past the limit (docstring included, decorators not)."""
    tree = ast.parse(path.read_text())
    out = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                out.append(f"{node.name} ({length} lines)")
    return out


@pytest.mark.parametrize("path", python_files(), ids=lambda p: str(p.relative_to(PWA)))
def test_functions_are_short(path):
    """No function over 40 lines."""
    assert long_functions(path) == []


def test_no_import_for_a_side_effect():
    """Features are wired by their register(app), never by an import kept only for what it does on import."""
    offenders = [f"{p.relative_to(PWA)}:{n}" for p in python_files()
                 for n, line in enumerate(p.read_text().splitlines(), 1)
                 if re.match(r"\s*(from \S+ )?import .*# noqa: F401", line)]
    assert offenders == []


def test_environment_read_only_in_config():
    """Every setting comes from pwa/config.py; nothing else reads the environment."""
    offenders = [str(p.relative_to(PWA)) for p in python_files()
                 if p.name != "config.py" and re.search(r"\bos\.environ\b|\bos\.getenv\b|\bgetenv\(", p.read_text())]
    assert offenders == []
