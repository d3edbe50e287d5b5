"""nginx from the machine's packages as the reverse proxy in front of several bot workers.

Run as a foreground process (`daemon off`) on 127.0.0.1 with a configuration and a prefix
folder of its own, spreading POSTs round-robin over the workers as in production: a worker
that refuses the connection or dies mid-request is skipped and the request goes to the next
(`proxy_next_upstream error timeout non_idempotent`: each update is handled once by its id,
so sending it again is safe).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from tests.fake_telegram import free_port

MISSING = "nginx not installed (.ci/run installs it with apt-get): fleet webhook test skipped"

CONFIG = """
daemon off;
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    upstream workers {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://workers;
            proxy_next_upstream error timeout non_idempotent;
            proxy_next_upstream_tries 0;
            proxy_connect_timeout 1s;
            proxy_read_timeout 15s;
        }}
    }}
}}
"""


def nginx_binary() -> str | None:
    """The nginx executable, if installed."""
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").is_file() else None
    )


class Nginx:
    """`async with Nginx(folder, worker_ports) as proxy:` nginx on `proxy.port`."""

    def __init__(self, root: Path, upstream_ports: Sequence[int]) -> None:
        self.root, self.upstream_ports = root, list(upstream_ports)
        self.port = free_port()
        self.proc: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> Nginx:
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError(MISSING)
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o777)  # nginx's workers may run as another user
        servers = "\n".join(
            f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=1s;"
            for p in self.upstream_ports
        )
        config = self.root / "nginx.conf"
        config.write_text(CONFIG.format(root=self.root, servers=servers, port=self.port))
        log = (self.root / "stderr.log").open("wb")
        self.proc = await asyncio.create_subprocess_exec(
            binary, "-p", str(self.root), "-c", str(config), "-e", str(self.root / "error.log"),
            stdout=log, stderr=log, stdin=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        log.close()
        for _ in range(200):  # until it listens
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
            except OSError:
                if self.proc.returncode is not None:
                    raise RuntimeError(self.errors()) from None
                await asyncio.sleep(0.05)
                continue
            writer.close()
            await writer.wait_closed()
            return self
        raise RuntimeError(f"nginx did not start: {self.errors()}")

    def errors(self) -> str:
        """nginx's own log, for failure messages."""
        logs = [self.root / "error.log", self.root / "stderr.log"]
        return "\n".join(p.read_text(errors="replace")[-2000:] for p in logs if p.exists())

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.terminate()  # SIGTERM: nginx's fast shutdown, workers included
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
