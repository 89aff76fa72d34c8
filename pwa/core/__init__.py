"""What every feature stands on: extensions, database, clock, audit, idempotency, sessions, security headers, request hooks, errors."""
