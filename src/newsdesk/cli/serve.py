"""`newsdesk serve`: the local web app and JSON API over a store (read-only)."""

from __future__ import annotations

import ipaddress
import socket
from typing import Annotated

import typer

from newsdesk.cli.app import DEFAULT_DB_OPT, DbOpt, app, err, out
from newsdesk.errors import NewsdeskError
from newsdesk.web.db import DEFAULT_THREADS, DEFAULT_TIME_LIMIT

DEFAULT_PORT = 8765


def is_loopback(host: str) -> bool:
    """True for localhost and 127.0.0.0/8 / ::1 addresses."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@app.command("serve")
def serve_cmd(
    db: DbOpt = DEFAULT_DB_OPT,
    host: Annotated[str, typer.Option(
        "--host", help="Address to bind. Anything but loopback exposes the archive to the "
                       "network without a login.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535,
                                      help="TCP port (0: any free one).")] = DEFAULT_PORT,
    time_limit: Annotated[float, typer.Option(
        "--time-limit", min=0.01, help="Seconds of SQL a request may take before it is "
                                       "stopped with a 400.")] = DEFAULT_TIME_LIMIT,
    workers: Annotated[int, typer.Option(
        "--workers", min=1, max=64,
        help="Server processes sharing the port (each answers requests on its own core; "
             "the store is read-only to them, so any number is safe).")] = 1,
    threads: Annotated[int, typer.Option(
        "--threads", min=1, max=64,
        help="Requests each server process answers at once; the rest queue, first come "
             "first served (2 keeps the slow requests from slowing every other one).")]
    = DEFAULT_THREADS,
) -> None:
    """Browse the archive in a web browser, and query it as JSON under /api/ (read-only)."""
    import uvicorn

    from newsdesk.web import create_app

    try:
        web = create_app(db, time_limit=time_limit, threads=threads)
    except NewsdeskError as e:
        err.print(f"[red]error:[/red] {e}", highlight=False)
        raise typer.Exit(2) from None
    if not is_loopback(host):
        err.print(f"[yellow]warning:[/yellow] serving on {host}: anyone who can reach this "
                  "address can read the whole archive; there is no login. Use the default "
                  "--host 127.0.0.1 unless that is what you want.", highlight=False)
    # Bind first, so a taken port is a clear error and port 0 prints the real port.
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
        sock.listen(2048)  # connections wait in the backlog until the server starts
    except OSError as e:
        sock.close()
        err.print(f"[red]error:[/red] cannot listen on {host}:{port} ({e.strerror}). Pick "
                  "another --port, or stop the program using it.", highlight=False)
        raise typer.Exit(2) from None
    real_port = sock.getsockname()[1]
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    out.print(f"newsdesk: serving {db} (read-only) at http://{shown}:{real_port}/ "
              "— press Ctrl-C to stop", highlight=False)
    try:
        if workers == 1:
            config = uvicorn.Config(web, log_level="warning", access_log=False,
                                    lifespan="off")
            uvicorn.Server(config).run(sockets=[sock])
        else:
            _serve_processes(db, time_limit, workers, sock, threads)
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    out.print("newsdesk: stopped", highlight=False)


def _serve_processes(db: str, time_limit: float, workers: int, sock: socket.socket,
                     threads: int = DEFAULT_THREADS) -> None:
    """``workers`` uvicorn processes on one bound socket (uvicorn's own supervisor: it
    restarts a worker that dies and stops them all on Ctrl-C or SIGTERM)."""
    import os

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from newsdesk.web.app import ENV_DB, ENV_THREADS, ENV_TIME_LIMIT

    os.environ[ENV_DB] = str(db)
    os.environ[ENV_TIME_LIMIT] = str(time_limit)
    os.environ[ENV_THREADS] = str(threads)
    config = uvicorn.Config("newsdesk.web.app:app_from_env", factory=True, workers=workers,
                            log_level="warning", access_log=False, lifespan="off")
    Multiprocess(config, sockets=[sock]).run()
