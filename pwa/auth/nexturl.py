"""Where to go after signing in: only a path on this site, decided by parsing the URL."""
from urllib.parse import quote, urlsplit

SAFE = "/?&=%+-._~!$'()*,;:@"


def safe_next(target: str | None, default: str) -> str:
    """Return `target` when it is a same-site path (normalised and percent-encoded), else `default`.

    Browsers drop tabs and newlines and trim control characters and spaces before resolving a
    Location, and read a backslash as a slash; so any of those refuses the target outright.
    """
    if not target or len(target) > 2000:
        return default
    if any(ord(ch) <= 0x20 or ord(ch) == 0x7F or ch == "\\" for ch in target):
        return default
    try:
        target = quote(target, safe=SAFE)  # other non-ASCII becomes %XX (lone surrogates cannot)
        parts = urlsplit(target)
    except (UnicodeEncodeError, ValueError):
        return default
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return default
    return parts.path + (f"?{parts.query}" if parts.query else "")
