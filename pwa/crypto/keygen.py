"""`python -m pwa.crypto.keygen`: make a deployment's data and sealing key files, once.

`python -m pwa.crypto.keygen --backup-key PATH` makes a backup key pair instead (pwa.crypto.backup).

Runs without the app (which refuses to start without its keys) and reads the
same settings, so the files land where the servers will look for them. An
existing file is never overwritten: that would lose every value sealed to it.
"""
import sys
from pathlib import Path

from flask import Flask

from pwa import config
from pwa.crypto import Keyring, save_key_file, sealing


def make_missing(settings: dict) -> list[str]:
    """Create whichever key files are absent; return what was done, one line each."""
    done = []
    data = Path(settings["DATA_KEY_FILE"])
    if settings.get("DATA_KEYS"):
        done.append("data keys come from BRIDGE_DATA_KEYS: no data key file needed")
    elif data.exists():
        done.append(f"data key file {data} already exists: left as it is")
    else:
        ring = Keyring(source=str(data))
        ring.add_key()
        save_key_file(ring, data)
        done.append(f"data key file {data} written (mode 0600)")
    seal = Path(settings["SEALING_KEY_FILE"])
    if seal.exists():
        done.append(f"sealing key file {seal} already exists: left as it is")
    else:
        ring = sealing.SealingKeys()
        ring.add_key()
        sealing.save(ring, seal)
        done.append(f"sealing key file {seal} written (mode 0600)")
    return done


def make_backup_key(private_path: str) -> list[str]:
    """Write a backup key pair: PATH (private, for the restore) and PATH.pub (for the servers)."""
    from pwa.crypto import backup

    private, public = backup.new_key_pair()
    backup.write_private_file(private_path, private)
    Path(f"{private_path}.pub").write_bytes(public)
    name = backup.fingerprint(backup.load_public(public))
    return [f"backup key {name}: private half {private_path} (mode 0600; keep it off the servers, with the "
            f"data keys' escrow), public half {private_path}.pub (BRIDGE_BACKUP_PUBLIC_KEY_FILE on the servers)"]


def main(argv: list[str] | None = None) -> int:
    """Make the missing key files named by the environment, or (`--backup-key PATH`) a backup key pair."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--backup-key"] and len(argv) == 2:
        try:
            print("\n".join(make_backup_key(argv[1])))
        except FileExistsError:
            print(f"{argv[1]} already exists: left as it is", file=sys.stderr)
            return 1
        return 0
    if argv:
        print("usage: python -m pwa.crypto.keygen [--backup-key PATH]", file=sys.stderr)
        return 2
    settings = config.from_environment(Flask("pwa").instance_path)
    for line in make_missing(settings):
        print(line)
    print("Copy the same files to every server and back them up apart from the database and its backups.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
