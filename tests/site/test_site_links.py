"""Every link and asset of the built site resolves locally; nothing points at another host."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from site_builder import sample_site_fixture  # noqa: F401 - registers the fixture

LOADING = {
    ("script", "src"),
    ("link", "href"),
    ("img", "src"),
    ("iframe", "src"),
    ("source", "src"),
}


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name in {"href", "src"} and value is not None:
                self.links.append((tag, name, value))


def parse(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text(encoding="utf-8"))
    return links


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_every_link_of_every_page_resolves(sample_site: Path) -> None:
    broken = []
    checked = 0
    # 404.html is served at any address, so its links are root-absolute: the browser test
    # follows them from three folders deep.
    for page in [p for p in pages(sample_site) if p.name != "404.html"]:
        for tag, attribute, value in parse(page).links:
            if value.startswith("data:"):
                continue
            parts = urlsplit(value)
            assert not parts.scheme and not parts.netloc, f"{page}: absolute {value}"
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            checked += 1
            if not target.is_file() or not target.is_relative_to(sample_site.resolve()):
                broken.append(f"{page.relative_to(sample_site)}: <{tag} {attribute}={value}>")
            elif parts.fragment and parts.fragment not in parse(target).ids:
                broken.append(f"{page.relative_to(sample_site)}: missing #{parts.fragment}")
    assert broken == []
    assert checked > 700


def test_no_page_loads_anything_from_another_host(sample_site: Path) -> None:
    for page in pages(sample_site):
        for tag, attribute, value in parse(page).links:
            if (tag, attribute) in LOADING:
                assert not re.match(r"(?i)[a-z][a-z0-9+.-]*://|//", value), f"{page}: {value}"
    for sheet in sample_site.rglob("*.css"):
        assert not re.search(r"(?i)url\(\s*['\"]?(https?:)?//", sheet.read_text()), sheet


def test_no_url_outside_text_and_namespaces(sample_site: Path) -> None:
    """A URL may appear as escaped text (an error message) or an XML namespace, nowhere else."""
    allowed = {"http://www.w3.org/2005/Atom"}
    for path in [*pages(sample_site), sample_site / "feed.xml"]:
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"(?i)(\w+)=[\"'](https?://[^\"']*)", text):
            assert match.group(0).startswith("xmlns=") and match.group(2) in allowed, (
                f"{path}: {match.group(0)}"
            )


def test_site_has_nojekyll_no_symlinks_no_underscore_folders(sample_site: Path) -> None:
    assert (sample_site / ".nojekyll").is_file()
    for path in sample_site.rglob("*"):
        assert not path.is_symlink(), path
        if path.is_dir():
            assert not path.name.startswith("_"), path


def test_every_report_page_has_its_json_and_csvs(sample_site: Path) -> None:
    folders = [
        p.parent
        for p in pages(sample_site)
        if p.parent.parent.name in {"daily", "weekly", "monthly", "custom"}
    ]
    assert len(folders) == 28 + 4 + 1 + 1
    for folder in folders:
        assert sorted(p.name for p in folder.iterdir()) == [
            "errors.csv",
            "findings.csv",
            "index.html",
            "job_types.csv",
            "processors.csv",
            "report.json",
            "repositories.csv",
        ]


def test_vega_bundle_is_written_once_under_its_content_hash(sample_site: Path) -> None:
    import hashlib

    bundles = list((sample_site / "assets").glob("vega-*.js"))
    assert len(bundles) == 1
    digest = hashlib.sha256(bundles[0].read_bytes()).hexdigest()[:12]
    assert bundles[0].name == f"vega-{digest}.js"
    assert sum(1 for _ in sample_site.rglob("vega*.js")) == 1


def test_the_newest_errors_of_a_week_link_to_their_days(sample_site: Path) -> None:
    week = max((sample_site / "weekly").glob("*/index.html"))
    errors = week.read_text(encoding="utf-8").split('id="table-errors"')[-1]
    linked = re.findall(
        r'<td class="fmt-time"><a href="\.\./\.\./daily/([\d-]+)/index\.html">'
        r"(\d{4}-\d\d-\d\d) \d\d:\d\d UTC</a>",
        errors,
    )
    assert linked, "no linked time in the newest errors"
    assert all(day == shown for day, shown in linked)
