"""JSON request bodies that are too deeply nested are bad input, not a server error.

The standard parser recurses once per level and raises RecursionError (not ValueError) on a body
like `[[[[...]]]]`, which Flask would answer with a 500. Raising ValueError instead lets
`request.get_json()` treat it as any other unreadable body (400, or None when silent).
"""
from flask.json.provider import DefaultJSONProvider


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, with too-deep nesting read as malformed JSON."""

    def loads(self, s, **kwargs):
        """Parse JSON; ValueError for a document nested deeper than the parser can go."""
        try:
            return super().loads(s, **kwargs)
        except RecursionError as exc:
            raise ValueError("JSON nested too deeply") from exc
