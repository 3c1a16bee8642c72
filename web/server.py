"""Running the application with uvicorn: `keiyaku serve`, and a server in a thread for tests and benchmarks."""

from __future__ import annotations

import secrets
import socket
import threading
import time
from pathlib import Path

from web.guard import is_loopback


def prepare_app(data_dir: str | Path | None, host: str, token: str | None):
    """(ASGI app, token in force, database path). A host other than loopback always gets a token."""
    from contracts.store import Store
    from web.app import create_app

    loopback = is_loopback(host)
    if not loopback and not token:
        token = secrets.token_urlsafe(24)
    store = Store.open(data_dir)
    return create_app(store, token=token, check_host=loopback), token, store.path


def warm_up() -> None:
    """Load the clause library, the rules and the templates once, so that the first preview is as fast as the rest."""
    from contracts.library import default_library
    from contracts.risk import default_riskbook

    default_library()
    default_riskbook()


def run(host: str, port: int, data_dir: str | Path | None, token: str | None, echo=print) -> None:
    import uvicorn

    app, token, db = prepare_app(data_dir, host, token)
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{port}/" + (f"?token={token}" if token else "")
    warm_up()
    echo(f"keiyaku serve: {url}")
    echo(f"  データ: {db}")
    if token:
        echo("  アクセストークンが必要です（上の URL に含まれています）。この URL を知る人は誰でも案件を読み書きできます。")
    echo("  終了: Ctrl-C")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, server_header=False,
                date_header=False, proxy_headers=False)


class ThreadedServer:
    """uvicorn in a background thread on a free loopback port (tests, the preview benchmark)."""

    def __init__(self, app, host: str = "127.0.0.1"):
        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://{host}:{self.port}"
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> ThreadedServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()
