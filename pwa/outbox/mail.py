"""SMTP delivery: build alert emails, send them, and classify failures (no database here)."""
from __future__ import annotations

import functools
import logging
import os
import random
import re
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.message import EmailMessage
from email.policy import default as _default_policy
from email.utils import formatdate
from pathlib import Path
from urllib.parse import unquote, urlsplit

log = logging.getLogger("bridge.mail")

_DEFAULT_PORTS = {"smtp": 25, "smtps": 465, "smtp+starttls": 587}
# 7bit keeps non-ASCII bodies quoted-printable/base64, so no 8BITMIME/SMTPUTF8 is needed.
_POLICY = _default_policy.clone(cte_type="7bit")


@dataclass(frozen=True)
class Email:
    """One outgoing message; message_id is chosen by the caller so retries reuse it."""

    to: tuple[str, ...]
    subject: str
    text: str
    html: str
    message_id: str


@dataclass(frozen=True)
class SmtpTarget:
    """A parsed SMTP URL (call parse_smtp_url at start-up to fail fast on bad config)."""

    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)


class MailError(Exception):
    """Base for delivery failures; `reason` is operator-safe (SMTP code + text, no content)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TransientMailError(MailError):
    """Delivery failed for now (network, timeout, 4xx); retry later."""


class PermanentMailError(MailError):
    """The server rejected the message for good (5xx); retrying will not help."""


def parse_smtp_url(url: str) -> SmtpTarget:
    """Parse smtp://, smtps:// or smtp+starttls:// [user:password@]host[:port]."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError("SMTP URL must be smtp|smtps|smtp+starttls://[user:password@]host[:port]")
    user = unquote(parts.username) if parts.username is not None else None
    password = unquote(parts.password) if parts.password is not None else None
    return SmtpTarget(scheme, parts.hostname, parts.port or _DEFAULT_PORTS[scheme], user, password)


def build_message(email: Email, sender: str) -> EmailMessage:
    """Build a multipart/alternative (text + HTML) message with the caller's Message-ID."""
    msg = EmailMessage(policy=_POLICY)
    msg["From"] = sender
    msg["To"] = ", ".join(email.to)
    msg["Subject"] = email.subject
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = email.message_id
    msg.set_content(email.text)
    msg.add_alternative(email.html, subtype="html")
    return msg


def _reply(code: int, text: bytes | str) -> str:
    """Format an SMTP reply as a short one-line string."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}"[:200]


def _classify(exc: Exception) -> MailError:
    """Map an smtplib/socket exception to a transient or permanent MailError."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in exc.recipients.values()})
        reason = "all recipients refused (" + ", ".join(map(str, codes)) + ")"
        # Any 4xx means at least one recipient may accept later: retry.
        return TransientMailError(reason) if any(400 <= c < 500 for c in codes) else PermanentMailError(reason)
    if isinstance(exc, smtplib.SMTPResponseException):  # connect, HELO, MAIL, DATA, AUTH
        reason = _reply(exc.smtp_code, exc.smtp_error)
        return PermanentMailError(reason) if 500 <= exc.smtp_code < 600 else TransientMailError(reason)
    if isinstance(exc, smtplib.SMTPNotSupportedError):  # e.g. STARTTLS/AUTH not offered
        return PermanentMailError(str(exc)[:200])
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return TransientMailError(str(exc)[:200] or "connection closed by server")
    # Remaining smtplib errors and socket errors (refused, reset, timeout, DNS, TLS) are OSErrors.
    return TransientMailError(f"{type(exc).__name__}: {exc}"[:200])


@functools.lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context per process: loading the CA store costs ~50 ms, too much per alert."""
    return ssl.create_default_context()


def _send(target: SmtpTarget, data: bytes, sender: str, rcpts: tuple[str, ...], timeout: float) -> str:
    """Run one SMTP transaction; raise smtplib/socket errors, return the DATA reply."""
    # The constructors connect and read the greeting; on failure smtplib closes the socket.
    if target.scheme == "smtps":
        conn: smtplib.SMTP = smtplib.SMTP_SSL(target.host, target.port, timeout=timeout, context=_tls_context())
    else:
        conn = smtplib.SMTP(target.host, target.port, timeout=timeout)
    delivered = False
    try:
        if target.scheme == "smtp+starttls":
            conn.starttls(context=_tls_context())
        if target.username is not None:
            conn.login(target.username, target.password or "")
        conn.ehlo_or_helo_if_needed()
        result = _transact(conn, data, sender, rcpts)
        delivered = True
        return result
    finally:
        if delivered:
            try:  # the message is already accepted: a failing QUIT must not cause a resend
                conn.quit()
            except (smtplib.SMTPException, OSError):
                conn.close()
        else:
            conn.close()


def _transact(conn: smtplib.SMTP, data: bytes, sender: str, rcpts: tuple[str, ...]) -> str:
    """MAIL, RCPT for each recipient, DATA: the server's reply, noting recipients it refused."""
    code, resp = conn.mail(sender)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, resp, sender)
    refused: dict[str, tuple[int, bytes]] = {}
    for rcpt in rcpts:
        code, resp = conn.rcpt(rcpt)
        if code not in (250, 251):
            refused[rcpt] = (code, resp)
    if len(refused) == len(rcpts):
        raise smtplib.SMTPRecipientsRefused(refused)
    code, resp = conn.data(data)
    if code != 250:
        raise smtplib.SMTPDataError(code, resp)
    result = _reply(code, resp)
    if refused:
        codes = ", ".join(str(c) for c, _ in refused.values())
        result += f"; refused {len(refused)} of {len(rcpts)} recipients ({codes})"
    return result


def _write_file(email: Email, msg: EmailMessage, outbox_dir: Path) -> str:
    """Development mode: save the message as an .eml file and log one line (no body)."""
    outbox_dir.mkdir(parents=True, exist_ok=True)
    safe_id = re.sub(r"[^A-Za-z0-9._-]+", "_", email.message_id.strip("<>"))[:100]
    name = f"{datetime.now(timezone.utc):%Y%m%d-%H%M%S}-{safe_id}.eml"
    (outbox_dir / f"{name}.tmp").write_bytes(msg.as_bytes())
    os.replace(outbox_dir / f"{name}.tmp", outbox_dir / name)  # never a half-written .eml
    log.info("mail not sent (no SMTP_URL): %d recipient(s), subject %r, written to %s",
             len(email.to), email.subject, name)
    return "written to file"


def deliver(email: Email, *, smtp_url: str | None, sender: str, outbox_dir: Path,
            timeout: float = 10.0) -> str:
    """Send (or, without smtp_url, file) one email; raise Transient/PermanentMailError."""
    if not email.to:
        raise PermanentMailError("no recipients")
    try:
        msg = build_message(email, sender)
    except ValueError as exc:  # e.g. a newline in the subject
        raise PermanentMailError("invalid message headers") from exc
    if smtp_url is None:
        return _write_file(email, msg, Path(outbox_dir))
    target = parse_smtp_url(smtp_url)  # ValueError on a bad URL: a config error, not a mail error
    data = msg.as_bytes(policy=_POLICY.clone(linesep="\r\n"))
    try:
        return _send(target, data, sender, email.to, timeout)
    except (smtplib.SMTPException, OSError) as exc:  # SMTPException is an OSError subclass
        raise _classify(exc) from exc


def backoff_delay(attempt: int, *, base: float = 1.0, cap: float = 20.0,
                  rng: Callable[[], float] = random.random) -> float:
    """Seconds to wait before retry `attempt` (0-based): exponential, full jitter, <= cap."""
    # Full jitter (uniform in [0, ceiling)) spreads queued alerts so they do not hit a
    # recovering server in lock-step.  The cap serves the product rule "mail goes out within
    # 30 s of the SMTP server returning": while it is down, attempts fail fast (refused/4xx),
    # so each message is retried at most `cap` s after its last failure and goes out within
    # cap + one send + the worker's poll interval (20 + ~1 + poll < 30 s).  An attempt stuck
    # on a stalled server adds up to its SMTP timeout, so keep cap + timeout + poll < 30 s
    # (e.g. timeout=5).  Uncapped doubling would leave gaps of minutes after a long outage.
    ceiling = min(cap, base * 2.0 ** min(max(attempt, 0), 30))
    return ceiling * rng()
