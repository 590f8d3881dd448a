"""Untrusted text from the job system stays inert text in pages, chart specs, feed and CSV."""

from __future__ import annotations

import csv
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from site_browser import browser, serve
from site_builder import (
    FORMULA_REPOSITORY,
    HOSTILE_ERROR,
    HOSTILE_JOB_TYPE,
    HOSTILE_PROCESSOR,
    HOSTILE_REPOSITORY,
    SECRETS,
    sample_site_fixture,  # noqa: F401 - registers the fixture
)

DAY = "daily/2026-11-29"


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text of each JSON script."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.specs: list[str] = []
        self._in_json = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_json = tag == "script" and dict(attrs).get("type") == "application/json"

    def handle_endtag(self, tag: str) -> None:
        self._in_json = False

    def handle_data(self, data: str) -> None:
        if self._in_json:
            self.specs.append(data)


def elements(path: Path) -> Elements:
    parsed = Elements()
    parsed.feed(path.read_text(encoding="utf-8"))
    return parsed


def test_pages_hold_no_injected_element_handler_or_script_url(sample_site: Path) -> None:
    for page in sample_site.rglob("*.html"):
        for tag, attrs in elements(page).tags:
            assert tag not in {"img", "iframe", "object", "embed"}, page
            assert not [a for a in attrs if a.startswith("on")], (page, tag, attrs)
            if tag == "script" and page.name == "404.html":
                continue  # its one inline script is the shipped 404.js (checked below)
            if tag == "script":
                src = attrs.get("src") or ""
                assert attrs.get("type") == "application/json" or src.startswith(
                    ("assets/", "../")
                ), (page, attrs)
            for value in attrs.values():
                assert not (value or "").strip().lower().startswith("javascript:"), page


def test_hostile_text_is_shown_escaped(sample_site: Path) -> None:
    html = (sample_site / DAY / "index.html").read_text(encoding="utf-8")
    for text in (HOSTILE_REPOSITORY, HOSTILE_JOB_TYPE, HOSTILE_PROCESSOR):
        assert text not in html
    assert "evil/&#34;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;/script&gt;" in html
    assert "{{ 7*7 }}&lt;!--&lt;script&gt;" in html
    assert "javascript:alert(3) &lt;/script&gt;" in html
    index = (sample_site / "index.html").read_text(encoding="utf-8")
    assert "<title>Overview · Rollout &lt;dashboard&gt;</title>" in index


def test_chart_specs_cannot_close_their_script_and_keep_the_text(sample_site: Path) -> None:
    parsed = elements(sample_site / DAY / "index.html")
    assert len(parsed.specs) == 7
    processors = set()
    for text in parsed.specs:
        assert "</" not in text and "<!--" not in text
        spec = json.loads(text)
        processors |= {row.get("processor") for row in spec["datasets"]["rows"]}
    assert HOSTILE_PROCESSOR in processors


def test_report_json_keeps_untrusted_text_exactly(sample_site: Path) -> None:
    report = json.loads((sample_site / DAY / "report.json").read_text(encoding="utf-8"))
    assert HOSTILE_PROCESSOR in report["processors"]
    assert HOSTILE_JOB_TYPE in report["job_types"]
    assert HOSTILE_ERROR[:500] in [e["message"] for e in report["errors"]["recent"]]


def test_csv_defuses_formulas_and_keeps_text(sample_site: Path) -> None:
    with (sample_site / DAY / "repositories.csv").open(encoding="utf-8", newline="") as file:
        names = [row["repository"] for row in csv.DictReader(file)]
    assert "'" + FORMULA_REPOSITORY in names
    assert HOSTILE_REPOSITORY in names
    assert not [name for name in names if name.startswith(("=", "+", "-", "@"))]


def test_feed_escapes_untrusted_text(sample_site: Path) -> None:
    from xml.etree import ElementTree

    feed = ElementTree.parse(sample_site / "feed.xml").getroot()  # noqa: S314 - our own file
    ns = {"atom": "http://www.w3.org/2005/Atom"}
    assert feed.findtext("atom:title", namespaces=ns) == "Rollout <dashboard>: daily reports"
    entries = feed.findall("atom:entry", ns)
    assert len(entries) == 28
    assert entries[0].findtext("atom:title", namespaces=ns) == "2026-11-29: critical"


def test_no_secret_appears_anywhere_in_the_site(sample_site: Path) -> None:
    secrets = [value.encode() for value in SECRETS.values()]
    for path in sample_site.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert not [s for s in secrets if s in content], path


def test_not_found_page_inlines_only_the_shipped_script_allowed_by_its_hash(
    sample_site: Path,
) -> None:
    import base64
    import hashlib

    from reportgen.render.site.templates import shipped_folder

    script = (shipped_folder() / "404.js").read_text(encoding="utf-8")
    html = (sample_site / "404.html").read_text(encoding="utf-8")
    assert html.count("<script") == 1 and f"<script>{script}</script>" in html
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in html


def test_search_index_keeps_untrusted_text_inert(sample_site: Path) -> None:
    script = (sample_site / "search" / "2026-11.js").read_text(encoding="utf-8")
    assert not {"<", ">", "&"} & set(script)  # escaped as \u003c…: nothing can close a tag
    prefix = "window.reportgenSearchPages = (window.reportgenSearchPages || []).concat("
    assert script.startswith(prefix) and script.endswith(");\n")
    entries = json.loads(script[len(prefix) : -3])
    day = next(entry for entry in entries if entry["url"] == f"{DAY}/index.html")
    assert HOSTILE_REPOSITORY in day["text"]
    assert "</script><script>alert(4)</script>" in day["text"]


# Once results show: how many, any element a result should not hold, and their text.
SEARCH_RESULTS = (
    "(() => { const items = document.querySelectorAll('.search-results li');"
    " if (!items.length) { return null; }"
    " const foreign = document.querySelectorAll("
    "'.search-results *:not(li):not(a):not(p):not(mark)');"
    " return [items.length, foreign.length,"
    " document.querySelector('.search-results').textContent]; })()"
)


@pytest.mark.browser
def test_search_results_show_untrusted_text_as_text(sample_site: Path) -> None:
    query = "?q=onerror"
    with serve(sample_site, "/repo") as (base, _), browser() as chromium:
        found = [
            chromium.wait_for(
                (sample_site / "search" / "index.html").as_uri() + query, SEARCH_RESULTS
            ),
            chromium.wait_for(base + "search/index.html" + query, SEARCH_RESULTS),
        ]
    for count, foreign, text in found:
        assert count >= 1
        assert foreign == 0
        assert "onerror=alert(1)" in text
