"""`flask --app wsgi offline rotate-sealing-key`: phones seal to a new key; the old ones still open."""
from pathlib import Path

import click
from flask import Blueprint, current_app

from pwa.crypto import sealing


def register(bp: Blueprint) -> None:
    """Attach the offline commands to the blueprint's CLI group."""

    @bp.cli.command("rotate-sealing-key")
    def rotate_sealing_key() -> None:
        """Add a sealing key and make it current; entries sealed to older keys still open."""
        path = Path(current_app.config["SEALING_KEY_FILE"])
        ring = sealing.load(path, create=False)
        key_id = ring.add_key()
        sealing.save(ring, path)
        click.echo(f"Sealing key {key_id} is now current ({len(ring.keys)} keys in {path}). Phones pick it up "
                   "when next online; keep the older keys until no entry sealed to them can still be waiting.")
