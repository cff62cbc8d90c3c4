"""`reportedly serve`: the local web UI and JSON API over a store.

Bound to 127.0.0.1 by default. Any other bind needs a token (``--token`` or
``REPORTEDLY_TOKEN``) and refuses to start without one; with a token every request must carry
it. The server is read-only (the store is opened read-only) unless ``--writable`` is given,
which enables the analyse-an-article form.
"""

from __future__ import annotations

import click

from ..web.security import is_loopback


@click.command("serve")
@click.option("--db", default="reportedly.db", show_default=True, type=click.Path(dir_okay=False),
              help="The store to serve.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind; anything but loopback requires a token.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--token", envvar="REPORTEDLY_TOKEN", default=None,
              help="Require this token on every request (env REPORTEDLY_TOKEN).")
@click.option("--writable", is_flag=True,
              help="Allow analysing pasted or uploaded articles into the store (default: read-only).")
@click.option("--max-upload", default=1_000_000, show_default=True, type=click.IntRange(1_000, 50_000_000),
              help="Largest article accepted by the analyse form, in bytes.")
def command(db: str, host: str, port: int, token: str | None, writable: bool, max_upload: int) -> None:
    """Serve the web UI and JSON API for the store DB."""
    if not is_loopback(host) and not token:
        raise click.UsageError(
            f"refusing to bind {host}: a non-loopback address needs a token "
            "(--token or REPORTEDLY_TOKEN); or bind 127.0.0.1"
        )
    import uvicorn

    from ..store import Store, StoreError
    from ..web import create_app

    try:
        store = Store.open(db, read_only=not writable)
    except (StoreError, OSError) as exc:
        hint = "" if writable else " (ingest articles first, or pass --writable to create it)"
        raise click.ClickException(f"cannot open store {db}: {exc}{hint}") from None
    except Exception as exc:  # duckdb raises its own IOException when another process holds the lock
        raise click.ClickException(f"cannot open store {db}: {exc}") from None
    app = create_app(store, token=token, writable=writable, max_upload=max_upload)
    mode = "writable" if writable else "read-only"
    click.echo(f"reportedly: serving {db} ({mode}) on http://{host}:{port}/"
               + (" (token required)" if token else ""), err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False, proxy_headers=False)
