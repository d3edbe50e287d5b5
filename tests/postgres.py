"""A throwaway PostgreSQL server for tests: the machine's own binaries, a temporary folder,
a Unix socket only (no TCP port), removed afterwards.

`pg_config --bindir` names the folder of `initdb`, `pg_ctl` and `postgres`. They refuse to
run as root, so as root they run as the `postgres` user (`runuser`). Durability is off
(`fsync=off`): a test database never outlives the machine.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

MISSING = "PostgreSQL tests skipped: no PostgreSQL server binaries (pg_config --bindir)"


@dataclass
class PgServer:
    """A running server: its folder, its socket folder, and how to reach a database."""

    root: Path
    bindir: Path
    as_postgres: tuple[str, ...]
    counter: itertools.count[int]

    @property
    def socket_dir(self) -> Path:
        return self.root

    def url(self, dbname: str = "postgres") -> str:
        """A libpq URL for a database on this server (user postgres, over the socket)."""
        return f"postgresql://postgres@/{dbname}?host={self.socket_dir}"

    def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        name = f"t{os.getpid()}_{next(self.counter)}"
        self._run(
            str(self.bindir / "psql"), "-q", "-h", str(self.socket_dir), "-U", "postgres",
            "-d", "postgres", "-c", f"CREATE DATABASE {name}",
        )  # fmt: skip
        return self.url(name)

    def stop(self) -> None:
        """Stop the server at once and remove its folder."""
        try:
            self._run(
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.root / "data"),
                "-m",
                "immediate",
                "stop",
            )
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, *command: str) -> None:
        subprocess.run([*self.as_postgres, *command], check=True, capture_output=True, timeout=60)


def find_bindir() -> Path | None:
    """The folder of the server binaries, or None when this machine has none."""
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        return None
    out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
    folder = Path(out.stdout.strip())
    wanted = ("initdb", "pg_ctl", "postgres", "psql")
    return folder if all((folder / name).is_file() for name in wanted) else None


def start_server(*, durable: bool = False) -> PgServer | str:
    """Start a server; or the reason it cannot run here (to skip with). `durable` (for
    benchmarks): WAL fsynced in the background, as SQLite's synchronous=NORMAL (a crash of the
    bot loses nothing committed; the server's own crash at most its last moment of commits)."""
    bindir = find_bindir()
    if bindir is None:
        return MISSING
    as_postgres: tuple[str, ...] = ()
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            return "PostgreSQL tests skipped: running as root and no runuser to become postgres"
        as_postgres = ("runuser", "-u", "postgres", "--")
    root = Path(tempfile.mkdtemp(prefix="pathways-pg-"))
    root.chmod(0o777)  # the postgres user writes its data folder and socket here
    server = PgServer(root, bindir, as_postgres, itertools.count(1))
    try:
        server._run(
            str(bindir / "initdb"), "-D", str(root / "data"), "-A", "trust", "-U", "postgres",
            "-E", "UTF8", "--no-sync", "--no-instructions",
        )  # fmt: skip
        safety = "" if durable else " -c fsync=off -c full_page_writes=off"
        options = (
            f"-k {root} -c listen_addresses='' -c synchronous_commit=off{safety}"
            " -c max_connections=200 -c shared_buffers=128MB"
        )
        server._run(
            str(bindir / "pg_ctl"), "-D", str(root / "data"), "-o", options, "-w",
            "-l", str(root / "server.log"), "start",
        )  # fmt: skip
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        shutil.rmtree(root, ignore_errors=True)
        detail = getattr(exc, "stderr", b"") or b""
        return f"PostgreSQL tests skipped: the server did not start ({detail[-300:]!r})"
    return server
