"""pytest fixture: a fault-injecting SMTP server per test (see tests/smtp_server.py)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.smtp_server import SMTPTestServer


@pytest.fixture
def smtp_server() -> Iterator[SMTPTestServer]:
    """A started SMTPTestServer in "accept" mode; closed after the test."""
    server = SMTPTestServer()
    server.start()
    try:
        yield server
    finally:
        server.close()
