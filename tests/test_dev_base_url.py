"""Email links point where the app is served: `BRIDGE_DEV_PORT=5411 make run` writes http://127.0.0.1:5411."""
import email
import email.policy
import time

import pytest

from pwa import config
from tests.support.concern_processes import Browser, Process, free_port, process_env, ROOT

_DEV = ("BASE_URL", "BRIDGE_DEV_HOST", "BRIDGE_DEV_PORT")


@pytest.fixture
def environ(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no .env here
    for name in _DEV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_base_url_defaults_to_the_dev_servers_address(environ, tmp_path):
    assert config.from_environment(str(tmp_path))["BASE_URL"] == "http://127.0.0.1:5000"
    environ.setenv("BRIDGE_DEV_PORT", "5411")
    assert config.from_environment(str(tmp_path))["BASE_URL"] == "http://127.0.0.1:5411"
    environ.setenv("BRIDGE_DEV_HOST", "0.0.0.0")  # listening everywhere: link to this machine
    assert config.from_environment(str(tmp_path))["BASE_URL"] == "http://127.0.0.1:5411"
    environ.setenv("BRIDGE_DEV_HOST", "192.168.1.20")
    assert config.from_environment(str(tmp_path))["BASE_URL"] == "http://192.168.1.20:5411"


def test_a_set_base_url_wins(environ, tmp_path):
    environ.setenv("BRIDGE_DEV_PORT", "5411")
    environ.setenv("BASE_URL", "https://bridge.example.org/")
    assert config.from_environment(str(tmp_path))["BASE_URL"] == "https://bridge.example.org"


def _eml(folder, subject: str, timeout: float = 30.0) -> email.message.EmailMessage:
    """The email with this subject the dev server wrote (it may write others, such as a digest)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(folder.glob("*.eml")) if folder.exists() else []:
            msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if msg["Subject"] == subject:
                return msg
        time.sleep(0.2)
    raise AssertionError(f"no email {subject!r} was written")


@pytest.mark.slow
def test_make_run_on_another_port_writes_that_port_into_email_links(app, tmp_path):
    """bin/run-dev (what `make run` runs) with BRIDGE_DEV_PORT: a reset email links to that port."""
    port = free_port()
    env = process_env(app, None, tmp_path, BRIDGE_DEV_PORT=port, DATABASE_URL=f"sqlite:///{tmp_path / 'dev.db'}",
                      BRIDGE_DATA_KEY_FILE=tmp_path / "data-keys.json", ARGON2_TIME_COST=2,
                      ARGON2_MEMORY_KIB=19456)
    env.pop("BASE_URL")
    dev = Process([str(ROOT / "bin" / "run-dev")], env, tmp_path, "run-dev")
    try:
        browser = Browser(port)
        browser.wait_up(timeout=120)
        status, _ = browser.request("POST", "/account/reset", {"email": "coordinator@bridge.example",
                                                               "csrf_token": browser.token("/account/reset")})
        assert status == 302, dev.output()
        msg = _eml(tmp_path / "mail", "Reset your Bridge password")
    finally:
        dev.kill()
    link = f"http://127.0.0.1:{port}/account/set-password/"
    assert link in msg.get_body(("plain",)).get_content()
    assert f'href="{link}' in msg.get_body(("html",)).get_content()
