"""Shared web pieces: form fields and validators, template helpers, charts."""
