"""The figures the fault and load tests produce, printed at the end of the run (pytest's terminal summary).

A test takes the `figures` fixture and calls figures.add(name, tried=..., refused_retry=..., faults=...,
lost=0, duplicated=0, ...); the summary prints one line per test so the numbers can be quoted.
"""
import os

import pytest

_RECORDED: list[tuple[str, dict]] = []


class Figures:
    def __init__(self, test: str) -> None:
        self.test = test

    def add(self, **numbers) -> None:
        database = "postgresql" if os.environ.get("BRIDGE_TEST_DATABASE") == "postgresql" else "sqlite"
        _RECORDED.append((f"{self.test} [{database}]", numbers))
        print(f"\nfigures {self.test} [{database}]: " + ", ".join(f"{k}={v}" for k, v in numbers.items()))


@pytest.fixture
def figures(request) -> Figures:
    return Figures(request.node.name)


def pytest_terminal_summary(terminalreporter) -> None:
    if not _RECORDED:
        return
    terminalreporter.section("figures under faults and load")
    for name, numbers in _RECORDED:
        terminalreporter.write_line(f"{name}: " + ", ".join(f"{k}={v}" for k, v in numbers.items()))
