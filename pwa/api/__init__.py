"""Machine-readable descriptions of Bridge's JSON endpoints."""
