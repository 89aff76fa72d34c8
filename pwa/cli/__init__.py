"""The flask commands, grouped."""
