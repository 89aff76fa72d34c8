"""The email outbox: queueing, SMTP, delivery, the worker and its wake-up."""
