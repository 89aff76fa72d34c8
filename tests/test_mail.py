"""pwa.outbox.mail against a real (fault-injecting) SMTP server."""
from __future__ import annotations

import logging
import random
import time
from pathlib import Path

import pytest

from pwa.outbox.mail import (
    Email,
    PermanentMailError,
    TransientMailError,
    backoff_delay,
    build_message,
    deliver,
    parse_smtp_url,
)
from tests.support.smtp_server import SMTPTestServer

SENDER = "Bridge <bridge@example.org>"
BODY = "Visit note flagged for Zoë: please review today."


def _email(*to: str, message_id: str = "<alert-0f1e2d3c@bridge>") -> Email:
    return Email(
        to=to or ("lead@example.org",),
        subject="Safeguarding alert – review needed",
        text=BODY,
        html=f"<p>{BODY}</p>",
        message_id=message_id,
    )


def _send(server: SMTPTestServer, email: Email, tmp_path: Path, timeout: float = 2.0) -> str:
    return deliver(email, smtp_url=server.url, sender=SENDER, outbox_dir=tmp_path, timeout=timeout)


# --- delivery ------------------------------------------------------------------------

def test_delivers_text_and_html_with_message_id(smtp_server: SMTPTestServer, tmp_path: Path) -> None:
    email = _email("a@example.org", "b@example.org")
    reply = _send(smtp_server, email, tmp_path)
    assert reply.startswith("250 ") and "queued" in reply
    [got] = smtp_server.wait_for(1)
    assert got.rcpt_tos == ("a@example.org", "b@example.org")
    assert got.mail_from == "bridge@example.org"
    assert got.message_id == "<alert-0f1e2d3c@bridge>"
    msg = got.message()
    assert msg.get_content_type() == "multipart/alternative"
    assert msg["Subject"] == email.subject
    assert msg["To"] == "a@example.org, b@example.org"
    assert msg["Date"]
    assert msg.get_body(("plain",)).get_content().strip() == BODY
    assert msg.get_body(("html",)).get_content().strip() == f"<p>{BODY}</p>"
    assert b"\r\n" in got.raw and not got.raw.replace(b"\r\n", b"").count(b"\n")
    assert max(got.raw) < 128  # 7-bit clean: no 8BITMIME/SMTPUTF8 needed


def test_build_message_sets_headers() -> None:
    msg = build_message(_email("a@example.org"), SENDER)
    assert msg["Message-ID"] == "<alert-0f1e2d3c@bridge>"
    assert msg["From"] == SENDER
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]


def test_dev_mode_writes_eml_and_logs_without_body(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    outbox = tmp_path / "mail" / "outbox"
    caplog.set_level(logging.INFO, logger="bridge.mail")
    result = deliver(_email("a@example.org", "b@example.org"), smtp_url=None, sender=SENDER, outbox_dir=outbox)
    assert result == "written to file"
    [eml] = list(outbox.iterdir())
    assert eml.suffix == ".eml" and "alert-0f1e2d3c_bridge" in eml.name
    assert b"Message-ID: <alert-0f1e2d3c@bridge>" in eml.read_bytes()
    [record] = [r for r in caplog.records if r.name == "bridge.mail"]
    line = record.getMessage()
    assert "2 recipient(s)" in line and "Safeguarding alert" in line and eml.name in line
    assert "Zoë" not in caplog.text and "Visit note" not in caplog.text
    assert "a@example.org" not in caplog.text


def test_credentials_in_url_are_decoded(smtp_server: SMTPTestServer, tmp_path: Path) -> None:
    url = f"smtp://ops%40example.org:p%3Ass%20w@127.0.0.1:{smtp_server.port}"
    deliver(_email(), smtp_url=url, sender=SENDER, outbox_dir=tmp_path, timeout=2.0)
    smtp_server.wait_for(1)
    assert smtp_server.logins == [("ops@example.org", "p:ss w")]


def test_parse_smtp_url() -> None:
    assert parse_smtp_url("smtp://mail.example.org").port == 25
    assert parse_smtp_url("smtps://mail.example.org").port == 465
    target = parse_smtp_url("smtp+starttls://u:secret@mail.example.org:2525")
    assert (target.scheme, target.host, target.port, target.username) == ("smtp+starttls", "mail.example.org", 2525, "u")
    assert "secret" not in repr(target)
    with pytest.raises(ValueError):
        parse_smtp_url("http://mail.example.org")


# --- failure classification ------------------------------------------------------------

def test_port_closed_is_transient(smtp_server: SMTPTestServer, tmp_path: Path) -> None:
    smtp_server.stop()
    with pytest.raises(TransientMailError) as err:
        _send(smtp_server, _email(), tmp_path)
    assert "ConnectionRefused" in err.value.reason


@pytest.mark.parametrize("mode, code", [("421", "421"), ("421-connect", "421"), ("451", "451")])
def test_4xx_is_transient(smtp_server: SMTPTestServer, tmp_path: Path, mode: str, code: str) -> None:
    smtp_server.mode = mode
    with pytest.raises(TransientMailError) as err:
        _send(smtp_server, _email(), tmp_path)
    assert err.value.reason.startswith(code + " ")
    assert "Zoë" not in err.value.reason and not smtp_server.messages


def test_550_is_permanent(smtp_server: SMTPTestServer, tmp_path: Path) -> None:
    smtp_server.mode = "550"
    with pytest.raises(PermanentMailError) as err:
        _send(smtp_server, _email("a@example.org", "b@example.org"), tmp_path)
    assert err.value.reason == "all recipients refused (550)"
    assert not smtp_server.messages


def test_mixed_refusals_with_a_4xx_are_transient(smtp_server: SMTPTestServer, tmp_path: Path) -> None:
    smtp_server.refuse = {"a@example.org": "450 4.2.1 Mailbox busy", "b@example.org": "550 5.1.1 No such user"}
    with pytest.raises(TransientMailError) as err:
        _send(smtp_server, _email("a@example.org", "b@example.org"), tmp_path)
    assert err.value.reason == "all recipients refused (450, 550)"


def test_partial_refusal_delivers_to_the_rest(smtp_server: SMTPTestServer, tmp_path: Path) -> None:
    smtp_server.refuse = {"gone@example.org": "550 5.1.1 No such user"}
    reply = _send(smtp_server, _email("a@example.org", "gone@example.org"), tmp_path)
    assert reply.startswith("250 ") and reply.endswith("; refused 1 of 2 recipients (550)")
    assert "gone@example.org" not in reply
    [got] = smtp_server.wait_for(1)
    assert got.rcpt_tos == ("a@example.org",)


@pytest.mark.parametrize("mode", ["stall", "stall-data"])
def test_stall_is_transient_within_timeout(smtp_server: SMTPTestServer, tmp_path: Path, mode: str) -> None:
    smtp_server.mode = mode
    smtp_server.stall_seconds = 10.0
    started = time.monotonic()
    with pytest.raises(TransientMailError) as err:
        _send(smtp_server, _email(), tmp_path, timeout=0.5)
    assert time.monotonic() - started < 2.0
    assert "timed out" in err.value.reason


def test_newline_in_subject_is_permanent(tmp_path: Path) -> None:
    bad = Email(("a@example.org",), "alert\r\nBcc: x@evil.example", "t", "<p>t</p>", "<alert-1@bridge>")
    with pytest.raises(PermanentMailError):
        deliver(bad, smtp_url=None, sender=SENDER, outbox_dir=tmp_path)


def test_server_coming_back_after_stop(smtp_server: SMTPTestServer, tmp_path: Path) -> None:
    port = smtp_server.port
    email = _email()
    smtp_server.stop()
    with pytest.raises(TransientMailError):
        _send(smtp_server, email, tmp_path)
    smtp_server.start()
    assert smtp_server.port == port
    _send(smtp_server, email, tmp_path)
    [got] = smtp_server.wait_for(1)
    assert got.message_id == email.message_id


def test_retry_after_451_keeps_message_id(smtp_server: SMTPTestServer, tmp_path: Path) -> None:
    email = _email()
    smtp_server.mode = "451"
    with pytest.raises(TransientMailError):
        _send(smtp_server, email, tmp_path)
    smtp_server.mode = "accept"
    _send(smtp_server, email, tmp_path)
    assert [m.message_id for m in smtp_server.wait_for(1)] == [email.message_id]


def test_stop_cuts_a_stalled_connection(tmp_path: Path) -> None:
    server = SMTPTestServer(stall_seconds=30.0)
    server.start()
    server.mode = "stall-data"
    try:
        with pytest.raises(TransientMailError):
            _send(server, _email(), tmp_path, timeout=0.3)
    finally:
        server.close()  # must not hang on the sleeping DATA handler or leak sockets


# --- backoff ---------------------------------------------------------------------------

def test_backoff_bounds() -> None:
    ceilings = [backoff_delay(n, rng=lambda: 1.0) for n in range(40)]
    assert ceilings == sorted(ceilings)
    assert max(ceilings) == 20.0 and ceilings[0] <= 1.0
    assert backoff_delay(-3, rng=lambda: 1.0) <= 1.0
    assert backoff_delay(10_000, rng=lambda: 1.0) == 20.0
    assert backoff_delay(5, rng=lambda: 0.0) == 0.0
    rng = random.Random(7).random
    samples = [backoff_delay(n % 12, rng=rng) for n in range(2000)]
    assert all(0.0 <= s <= 20.0 for s in samples)
    assert backoff_delay(3, base=0.5, cap=2.0, rng=lambda: 1.0) == 2.0
