"""Safeguarding concerns: raised by a mentor, alerted at once, acknowledged, escalated, never lost."""
