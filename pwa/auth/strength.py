"""Refuse passwords that are easy to guess: common and breached ones, patterns, the person's own details.

zxcvbn ships frequency lists of common and breached passwords, words and names as data,
and scores a password by the guesses an attacker would need.
"""
import re

from zxcvbn import zxcvbn

GOOD_ENOUGH = 3  # zxcvbn's "safely unguessable" score (about 10^8 guesses or more)
ADVICE = "A short sentence of unrelated words is easy to remember and hard to guess."


def _own_words(email: str, name: str) -> list[str]:
    local = email.split("@")[0]
    return [w for w in [email, local, *re.split(r"[\W_]+", local), *re.split(r"[\s\-']+", name)] if len(w) >= 3]


def weakness(password: str, *, email: str = "", name: str = "") -> str | None:
    """Say why a password is too easy to guess, or None when it is strong enough."""
    own = _own_words(email.lower(), str(name or "").lower())
    if any(word in password.lower() for word in own if len(word) >= 4):
        reason = "It contains your own name or email."
    else:
        result = zxcvbn(password[:72], user_inputs=own)  # zxcvbn refuses more than 72 characters
        if result["score"] >= GOOD_ENOUGH:
            return None
        reason = result["feedback"]["warning"] or "It follows a pattern that is easy to guess."
    return f"This password is too easy to guess. {reason} {ADVICE}"
