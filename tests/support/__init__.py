"""Test helpers: a real SMTP server, a throwaway PostgreSQL cluster, the concern world, sealing, access rules."""
