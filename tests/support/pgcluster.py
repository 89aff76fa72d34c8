"""A throwaway PostgreSQL cluster for the test suite.

    cluster = PostgresCluster()
    url = cluster.start()   # postgresql+psycopg://postgres@127.0.0.1:PORT/bridge_test
    ...
    cluster.stop()          # pg_ctl stop -m immediate, then removes the directory

The cluster lives in a fresh temporary directory, listens only on 127.0.0.1
on a free port, keeps its Unix socket inside that directory, and trades all
durability for speed (fsync, synchronous_commit and full_page_writes off).
Authentication is `trust`, so the URL carries no password.

As root, the server binaries are run as the `postgres` OS user through
`runuser` (PostgreSQL refuses to run as root); the user is created with
`useradd --system` if it does not exist. As any other user they run directly,
as that user, who owns the directory.

Binaries are looked up in $BRIDGE_PG_BINDIR if set, then /usr/local/bin, then
PATH, then /usr/lib/postgresql/*/bin (newest first).

By hand:

    python -m tests.support.pgcluster           # start, print the URL, wait for Ctrl-C
    python -m tests.support.pgcluster --check   # start, connect, run a query, stop
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

DB_NAME = "bridge_test"
SUPERUSER = "postgres"
OS_USER = "postgres"

_BINARIES = ("initdb", "pg_ctl", "postgres")


class PostgresClusterError(RuntimeError):
    pass


def _find_bindir() -> str:
    candidates: list[str] = []
    env = os.environ.get("BRIDGE_PG_BINDIR")
    if env:
        candidates.append(env)
    candidates.append("/usr/local/bin")
    which = shutil.which("initdb")
    if which:
        candidates.append(os.path.dirname(which))

    def _ver(path: str) -> float:
        try:
            return float(path.rstrip("/").split("/")[-2])
        except ValueError:
            return 0.0

    candidates.extend(sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_ver, reverse=True))
    for d in candidates:
        if all(os.access(os.path.join(d, b), os.X_OK) for b in _BINARIES):
            return d
    raise PostgresClusterError(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found; "
        "set BRIDGE_PG_BINDIR to the directory holding them"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresCluster:
    def __init__(self, dbname: str = DB_NAME, base_dir: str | None = None):
        self.dbname = dbname
        self.base_dir = base_dir  # parent of the temp dir; None = system temp dir
        self.bindir: str | None = None
        self.tmpdir: str | None = None
        self.datadir: str | None = None
        self.sockdir: str | None = None
        self.logfile: str | None = None
        self.port: int | None = None
        self.url: str | None = None
        self._as_root = os.geteuid() == 0
        self._running = False
        self._atexit_registered = False
        self._proc: subprocess.Popen | None = None

    # -- helpers -----------------------------------------------------------

    def _cmd(self, binary: str, *args: str) -> list[str]:
        assert self.bindir is not None
        argv = [os.path.join(self.bindir, binary), *args]
        if self._as_root:
            return ["runuser", "-u", OS_USER, "--", *argv]
        return argv

    def _run(self, binary: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        argv = self._cmd(binary, *args)
        # cwd inside our dir: as `postgres`, the caller's cwd may be unreadable.
        proc = subprocess.run(
            argv,
            cwd=self.tmpdir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            env=self._env(),
        )
        return proc

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        # Don't let a developer's libpq settings leak into the throwaway cluster.
        for k in list(env):
            if k.startswith("PG"):
                del env[k]
        env["LC_ALL"] = "C.UTF-8"
        env["LANG"] = "C.UTF-8"
        return env

    def _ensure_os_user(self) -> None:
        if not self._as_root:
            return
        import pwd

        try:
            pwd.getpwnam(OS_USER)
        except KeyError:
            subprocess.run(
                ["useradd", "--system", "--user-group", "--no-create-home",
                 "--shell", "/usr/sbin/nologin", OS_USER],
                check=True,
            )

    def _chown(self, path: str) -> None:
        if self._as_root:
            import pwd

            pw = pwd.getpwnam(OS_USER)
            os.chown(path, pw.pw_uid, pw.pw_gid)

    def _log_tail(self, n: int = 40) -> str:
        try:
            with open(self.logfile or "", encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return "(no server log)"

    # -- lifecycle ---------------------------------------------------------

    def start(self, timeout: float = 60) -> str:
        if self._running:
            assert self.url is not None
            return self.url
        self.bindir = _find_bindir()
        self._ensure_os_user()

        if self.base_dir:
            os.makedirs(self.base_dir, exist_ok=True)
        self.tmpdir = tempfile.mkdtemp(prefix="bridge-pg-", dir=self.base_dir)
        # mkdtemp makes it 0700; the postgres user owns it when we are root.
        self._chown(self.tmpdir)
        self.datadir = os.path.join(self.tmpdir, "data")
        self.sockdir = os.path.join(self.tmpdir, "sock")
        self.logfile = os.path.join(self.tmpdir, "postgres.log")
        if not self._atexit_registered:
            atexit.register(self.stop)
            self._atexit_registered = True

        try:
            self._initdb()
            self._start_server(timeout)
            self._create_database()
        except BaseException:
            self.stop()
            raise
        self.url = f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{self.dbname}"
        return self.url

    def _initdb(self) -> None:
        assert self.tmpdir and self.datadir and self.sockdir
        proc = self._run(
            "initdb", "-D", self.datadir, "-A", "trust", "-U", SUPERUSER,
            "--no-sync", "-E", "UTF8", "--locale=C.UTF-8",
        )
        if proc.returncode != 0:
            raise PostgresClusterError(f"initdb failed ({proc.returncode}):\n{proc.stdout}")
        # The socket dir belongs to the cluster's owner.
        os.mkdir(self.sockdir, 0o700)
        self._chown(self.sockdir)
        # The log file must be writable by the server's user.
        open(self.logfile, "a").close()
        self._chown(self.logfile)

    def _write_conf(self) -> None:
        assert self.datadir and self.sockdir and self.port
        conf = os.path.join(self.datadir, "postgresql.auto.conf")
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.sockdir}'",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "wal_level": "minimal",
            "max_wal_senders": "0",
            "max_connections": "100",
            "shared_buffers": "32MB",
            "checkpoint_timeout": "30min",
            "max_wal_size": "1GB",
            "autovacuum": "off",
            "logging_collector": "off",
            "log_min_messages": "warning",
            "timezone": "'UTC'",
            "log_timezone": "'UTC'",
        }
        # postgresql.auto.conf is read last, so a rewrite here wins over
        # postgresql.conf; rewrite it whole on each port attempt.
        with open(conf, "w", encoding="utf-8") as f:
            f.write("# written by tests/pgcluster.py\n")
            for k, v in settings.items():
                f.write(f"{k} = {v}\n")
        self._chown(conf)

    def _start_server(self, timeout: float) -> None:
        """Start `postgres` as our own child (so we reap it: PID 1 here may not).

        It gets its own session, so a Ctrl-C at the terminal reaches the test
        run, not the server; stop() shuts it down.
        """
        assert self.datadir and self.logfile
        last = ""
        for _attempt in range(5):
            self.port = _free_port()
            self._write_conf()
            with open(self.logfile, "ab") as log:
                self._proc = subprocess.Popen(
                    self._cmd("postgres", "-D", self.datadir),
                    cwd=self.tmpdir,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=self._env(),
                    start_new_session=True,
                )
            self._running = True
            try:
                self._wait_ready(timeout)
                return
            except PostgresClusterError as exc:
                last = str(exc)
                self._kill()
                # Another process may have taken the port between bind and start.
                if "could not bind" in last or "Address already in use" in last:
                    continue
                break
        raise PostgresClusterError(last)

    def _connect(self, dbname: str):
        import psycopg

        return psycopg.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, dbname=dbname,
            autocommit=True, connect_timeout=5,
        )

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise PostgresClusterError(
                    f"postgres exited with {self._proc.returncode} while starting:\n"
                    f"{self._log_tail()}"
                )
            try:
                with self._connect("postgres") as conn:
                    conn.execute("SELECT 1")
                return
            except Exception as exc:  # noqa: BLE001 - starting up
                last = exc
                time.sleep(0.1)
        raise PostgresClusterError(
            f"PostgreSQL not ready after {timeout}s: {last}\n{self._log_tail()}"
        )

    def _create_database(self) -> None:
        from psycopg import sql

        with self._connect("postgres") as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(
                    sql.Identifier(self.dbname)
                )
            )

    def _kill(self) -> None:
        """Last resort: SIGKILL the server's process group and reap it."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, 9)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass

    def stop(self) -> None:
        if self._running and self.datadir and os.path.isdir(self.datadir):
            try:
                self._run("pg_ctl", "stop", "-D", self.datadir, "-m", "immediate", "-w",
                          "-t", "30", timeout=60)
            except Exception:  # noqa: BLE001 - still clean up
                pass
            if self._proc is not None:
                try:
                    self._proc.wait(timeout=30)
                    self._proc = None
                except subprocess.TimeoutExpired:
                    pass
        self._kill()
        self._running = False
        if self.tmpdir and os.path.isdir(self.tmpdir):
            shutil.rmtree(self.tmpdir, ignore_errors=True)
        self.tmpdir = None
        self.url = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    import argparse
    import signal

    p = argparse.ArgumentParser(prog="python -m tests.support.pgcluster", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--check", action="store_true",
                   help="start, connect, run a query, stop, and exit")
    args = p.parse_args(argv)

    cluster = PostgresCluster()
    url = cluster.start()
    try:
        if args.check:
            with cluster._connect(cluster.dbname) as conn:
                row = conn.execute(
                    "SELECT current_database(), version(), current_setting('fsync')"
                ).fetchone()
            print(f"{url}\n  database={row[0]} fsync={row[2]}\n  {row[1]}")
            return 0
        print(url, flush=True)
        print(f"data dir: {cluster.datadir}  (Ctrl-C to stop and remove it)", file=sys.stderr,
              flush=True)
        # Also when started in the background by a shell, which ignores SIGINT.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        signal.signal(signal.SIGHUP, lambda *_: sys.exit(0))
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        return 0
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
