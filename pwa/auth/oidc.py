"""An OpenID Connect relying party: the code flow with PKCE, state and nonce, and the ID token's checks.

Authlib builds the authorization request (PKCE S256) and exchanges the code;
joserfc (Authlib's JOSE library) checks the ID token: its signature against
the provider's published keys (JWKS), and its issuer, audience, expiry,
issue time and nonce. Nothing here touches the request or the database.
"""
from dataclasses import dataclass

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc6749.errors import OAuth2Error
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from pwa.core import clock

TIMEOUT = 10  # seconds for each call to the provider
LEEWAY = 60  # seconds of clock skew allowed on exp and iat
ALGORITHMS = ["RS256", "PS256", "ES256"]


class SignInFailed(Exception):
    """The provider's answer cannot be trusted; the message says what to do, never why in detail."""


@dataclass(frozen=True)
class Client:
    """What Bridge is at one provider."""

    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str


def _get(url: str) -> dict:
    try:
        response = requests.get(url, timeout=TIMEOUT)
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError) as error:
        raise SignInFailed("Your organisation's sign-in service did not answer. Try again shortly.") from error


def discover(issuer: str) -> dict:
    """The provider's metadata, which must name the same issuer."""
    meta = _get(issuer.rstrip("/") + "/.well-known/openid-configuration")
    if meta.get("issuer") != issuer:
        raise SignInFailed("Your organisation's sign-in service is not set up as Bridge expects.")
    return meta


def begin(client: Client, login_hint: str | None = None) -> tuple[str, dict]:
    """The URL to send the person to, and what to keep until they come back (state, nonce, PKCE verifier)."""
    meta = discover(client.issuer)
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    session = OAuth2Session(client.client_id, scope="openid email", redirect_uri=client.redirect_uri,
                            code_challenge_method="S256")
    extra = {"login_hint": login_hint} if login_hint else {}
    url, _ = session.create_authorization_url(meta["authorization_endpoint"], state=state, code_verifier=verifier,
                                              nonce=nonce, **extra)
    return url, {"state": state, "nonce": nonce, "verifier": verifier}


def finish(client: Client, pending: dict, code: str) -> dict:
    """Exchange the code and return the ID token's claims once every check has passed."""
    meta = discover(client.issuer)
    session = OAuth2Session(client.client_id, client.client_secret, redirect_uri=client.redirect_uri,
                            token_endpoint_auth_method="client_secret_basic")  # nosec B106  # a method name, not a secret
    try:
        token = session.fetch_token(meta["token_endpoint"], grant_type="authorization_code", code=code,
                                    code_verifier=pending["verifier"], timeout=TIMEOUT)
    except (OAuth2Error, requests.RequestException, ValueError) as error:
        raise SignInFailed("Your organisation's sign-in service refused the sign-in. Start again.") from error
    if not token.get("id_token"):
        raise SignInFailed("Your organisation's sign-in service sent no identity. Start again.")
    return check_id_token(token["id_token"], KeySet.import_key_set(_get(meta["jwks_uri"])), client,
                          pending["nonce"])


def check_id_token(id_token: str, keys: KeySet, client: Client, nonce: str) -> dict:
    """Verify the signature and the claims (iss, aud, exp, iat, nonce, and azp when several audiences)."""
    registry = jwt.JWTClaimsRegistry(
        now=int(clock.now().timestamp()), leeway=LEEWAY,
        iss={"essential": True, "value": client.issuer}, aud={"essential": True, "value": client.client_id},
        exp={"essential": True}, iat={"essential": True}, sub={"essential": True},
        nonce={"essential": True, "value": nonce})
    try:
        claims = jwt.decode(id_token, keys, algorithms=ALGORITHMS).claims
        registry.validate(claims)
    except (JoseError, ValueError) as error:
        raise SignInFailed("Bridge could not verify the sign-in from your organisation. Start again.") from error
    if isinstance(claims.get("aud"), list) and len(claims["aud"]) > 1 and claims.get("azp") != client.client_id:
        raise SignInFailed("Bridge could not verify the sign-in from your organisation. Start again.")
    return claims
