"""Passkeys (WebAuthn): register and use them as a phishing-resistant second factor. Flush only.

The challenge lives in the server-side session for one ceremony; the relying party id and
origin come from the configuration (derived from BASE_URL), never from the request.
"""
import json

import sqlalchemy as sa
from flask import current_app
from webauthn import (generate_authentication_options, generate_registration_options, options_to_json,
                      verify_authentication_response, verify_registration_response)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, parse_authentication_credential_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (AuthenticatorSelectionCriteria, PublicKeyCredentialDescriptor,
                                      ResidentKeyRequirement, UserVerificationRequirement)

from pwa.core import clock
from pwa.core.extensions import db
from pwa.models import Passkey, User


class Refused(Exception):
    """The browser's answer did not prove what it should."""


def _rp() -> tuple[str, str]:
    return current_app.config["WEBAUTHN_RP_ID"], current_app.config["WEBAUTHN_ORIGIN"]


def of(user_id) -> list[Passkey]:
    """A person's passkeys, oldest first."""
    return list(db.session.scalars(sa.select(Passkey).where(Passkey.user_id == user_id).order_by(Passkey.created_at)))


def _descriptors(user_id) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=p.credential_id) for p in of(user_id)]


def registration_options(user: User) -> tuple[str, str]:
    """Options for navigator.credentials.create, and the challenge to keep in the session."""
    options = generate_registration_options(
        rp_id=_rp()[0], rp_name="Bridge", user_id=user.id.bytes, user_name=user.email, user_display_name=user.email,
        exclude_credentials=_descriptors(user.id),
        authenticator_selection=AuthenticatorSelectionCriteria(resident_key=ResidentKeyRequirement.PREFERRED,
                                                               user_verification=UserVerificationRequirement.PREFERRED))
    return options_to_json(options), bytes_to_base64url(options.challenge)


def register(user: User, credential: dict, challenge: str, label: str) -> Passkey:
    """Check the new credential against the challenge and store its public key."""
    rp_id, origin = _rp()
    try:
        verified = verify_registration_response(credential=credential, expected_challenge=base64url_to_bytes(challenge),
                                                expected_rp_id=rp_id, expected_origin=origin)
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise Refused(str(error)) from error
    row = Passkey(user_id=user.id, credential_id=verified.credential_id, public_key=verified.credential_public_key,
                  sign_count=verified.sign_count, label=(label or "Passkey").strip()[:80] or "Passkey")
    db.session.add(row)
    db.session.flush()
    return row


def authentication_options(user: User) -> tuple[str, str]:
    """Options for navigator.credentials.get, limited to this person's passkeys, and the challenge."""
    options = generate_authentication_options(rp_id=_rp()[0], allow_credentials=_descriptors(user.id),
                                              user_verification=UserVerificationRequirement.PREFERRED)
    return options_to_json(options), bytes_to_base64url(options.challenge)


def authenticate(user: User, credential: dict, challenge: str) -> Passkey:
    """Check a signed assertion from one of this person's passkeys; raise Refused otherwise."""
    rp_id, origin = _rp()
    try:
        parsed = parse_authentication_credential_json(json.dumps(credential))
        row = db.session.scalar(sa.select(Passkey).where(Passkey.user_id == user.id,
                                                         Passkey.credential_id == parsed.raw_id))
        if row is None:
            raise Refused("not this person's passkey")
        verified = verify_authentication_response(
            credential=parsed, expected_challenge=base64url_to_bytes(challenge), expected_rp_id=rp_id,
            expected_origin=origin, credential_public_key=row.public_key, credential_current_sign_count=row.sign_count)
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise Refused(str(error)) from error
    row.sign_count, row.last_used_at = verified.new_sign_count, clock.now()
    return row


def remove(user: User, passkey_id) -> bool:
    """Delete one of the person's passkeys."""
    result = db.session.execute(sa.delete(Passkey).where(Passkey.user_id == user.id, Passkey.id == passkey_id))
    return result.rowcount > 0
