"""The local preview server: the built site on 127.0.0.1, with the site's own 404 page."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx

from reportgen.render.site.serve import preview_server


def test_preview_server_answers_a_missing_page_with_the_sites_404(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<h1>index</h1>", encoding="utf-8")
    (tmp_path / "404.html").write_text("<h1>not here</h1>", encoding="utf-8")
    with preview_server(tmp_path, port=0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            index = httpx.get(server.url, timeout=5)
            missing = httpx.get(f"{server.url}daily/1999-01-01/", timeout=5)
        finally:
            server.shutdown()
    assert (index.status_code, index.text) == (200, "<h1>index</h1>")
    assert (missing.status_code, missing.text) == (404, "<h1>not here</h1>")
    assert missing.headers["content-type"] == "text/html; charset=utf-8"
