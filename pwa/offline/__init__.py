"""Offline-first: the installable shell, the service worker, the encrypted snapshot and the sealed outbox."""
