"""``reportedly serve`` as a real process: loopback by default, a token for anything else."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from .conftest import free_port, serve
from .reports import border_report

TOKEN = "t0ken-for-tests"


@pytest.fixture(scope="module")
def small_db(tmp_path_factory):
    from reportedly.store import Store

    db = tmp_path_factory.mktemp("serve") / "small.db"
    with Store.open(db) as store:
        store.add_reports([border_report()])
    return db


def test_public_bind_without_token_refuses_to_start(small_db, monkeypatch):
    monkeypatch.delenv("REPORTEDLY_TOKEN", raising=False)
    port = free_port()
    result = subprocess.run(
        [sys.executable, "-m", "reportedly", "serve", "--db", str(small_db), "--host", "0.0.0.0", "--port", str(port)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "needs a token" in result.stderr
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/", timeout=2)


def test_with_a_token_requests_lacking_it_get_401(small_db):
    with serve(small_db, "--token", TOKEN, log_name="token") as server:
        assert server.get("/").status_code == 401
        assert server.get("/api/events").status_code == 401
        assert server.get("/", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        with httpx.Client(base_url=server.url, timeout=30, follow_redirects=True) as client:
            assert client.get(f"/events?token={TOKEN}").status_code == 200  # redirected, cookie set
            assert client.get("/api/stats").json()["documents"] == 1


def test_token_page_in_the_browser(page, small_db):
    with serve(small_db, "--token", TOKEN, log_name="token-browser") as server:
        response = page.goto(server.url + "/")
        assert response.status == 401
        page.goto(f"{server.url}/events?token={TOKEN}")
        assert page.url == server.url + "/events"
        assert page.locator("#events-table tbody tr").count() == 2
        page.goto(server.url + "/map")  # the HttpOnly cookie carries the token, also for fetch()
        page.wait_for_selector("#map[data-ready]")
        assert page.locator("#map .marker").count() > 0
        assert page.evaluate("document.cookie") == ""
