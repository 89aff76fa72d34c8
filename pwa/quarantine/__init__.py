"""Held entries: what the phone's sealed outbox sent that the server could not store, kept for a coordinator."""
