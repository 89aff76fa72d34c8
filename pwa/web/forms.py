"""Form helpers shared by every feature."""
import enum
from collections.abc import Iterable

from wtforms import DecimalField, SelectChoice


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def enum_choices(kind: type[enum.Enum], only: Iterable[enum.Enum] | None = None) -> list[SelectChoice]:
    """Select options for an enum: the member name is sent, its value shown."""
    return [SelectChoice(m.name, m.value) for m in (only or kind)]


class FiniteDecimalField(DecimalField):
    """A decimal field that reads "inf" and "NaN" as the typing mistakes they are, not as numbers."""

    def process_formdata(self, valuelist):
        """Parse the value; refuse infinities and NaN, which no range check can compare safely."""
        super().process_formdata(valuelist)
        if valuelist and self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))
