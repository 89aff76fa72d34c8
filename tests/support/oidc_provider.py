"""A real OpenID provider (the npm `oidc-provider` package, tests/support/oidc/) on loopback.

`sign_in` walks the provider's own login and consent pages as a person would,
and returns the address the provider sends the browser back to.
"""
import re
import select
import socket
import subprocess
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import requests

HERE = Path(__file__).parent / "oidc"
CLIENT_ID = "bridge-client"
CLIENT_SECRET = "bridge-client-secret-for-tests"


def ensure_installed() -> None:
    """`npm ci` from the committed lock file, when `make test` has not already done it."""
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, timeout=600,
                       stdout=subprocess.DEVNULL)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OpenIDProvider:
    def __init__(self, redirect_uri: str):
        self.redirect_uri = redirect_uri
        self.proc = None
        self.issuer = ""

    def start(self) -> "OpenIDProvider":
        ensure_installed()
        self.proc = subprocess.Popen(["node", "provider.mjs", str(_free_port()), self.redirect_uri], cwd=HERE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], 30)
        line = self.proc.stdout.readline() if ready else ""
        if not line.startswith("ready "):
            self.stop()
            raise RuntimeError("the OpenID provider did not start")
        self.issuer = line.split()[1]
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc.stdout.close()
            self.proc = None

    def mode(self, **tamper: str) -> None:
        """Make the next ID tokens wrong in one way (audience=, expired=1, foreign=1); none resets."""
        requests.get(self.issuer + "/__test__/mode", params=tamper, timeout=10).raise_for_status()

    def sign_in(self, authorize_url: str, login: str) -> str:
        """Sign in at the provider as `login` and consent; return where it sends the browser back."""
        browser, response = requests.Session(), None
        response = browser.get(authorize_url, allow_redirects=False, timeout=10)
        for _ in range(12):
            if response.is_redirect:
                target = urljoin(response.url, response.headers["Location"])
                if target.startswith(self.redirect_uri):
                    return target
                response = browser.get(target, allow_redirects=False, timeout=10)
                continue
            action, fields = _form(response.text)
            if "login" in fields:
                fields.update(login=login, password="any password")
            response = browser.post(urljoin(response.url, action), data=fields, allow_redirects=False, timeout=10)
        raise AssertionError("the provider never sent the browser back")


def _form(page: str) -> tuple[str, dict]:
    form = re.search(r'<form[^>]*action="([^"]+)"[^>]*method="post">(.*?)</form>', page, re.S)
    assert form, "no form on the provider's page:\n" + page[:500]
    fields = {name: unescape(value) for name, value in
              re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form.group(2))}
    if 'name="login"' in form.group(2):
        fields["login"] = ""
    return unescape(form.group(1)), fields
