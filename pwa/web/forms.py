"""Form helpers shared by every feature."""
import enum
from collections.abc import Iterable

from wtforms import SelectChoice


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def enum_choices(kind: type[enum.Enum], only: Iterable[enum.Enum] | None = None) -> list[SelectChoice]:
    """Select options for an enum: the member name is sent, its value shown."""
    return [SelectChoice(m.name, m.value) for m in (only or kind)]
