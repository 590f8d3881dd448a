from __future__ import annotations

import json

import pytest

from reportgen.render.site.pages import cell, environment, script_json
from reportgen.render.site.tables import Column, table


def test_script_json_cannot_end_its_script_element() -> None:
    value = {"name": "</script><script>alert(1)</script><!-- & ]]>", "line": "a\u2028b"}
    text = str(script_json(value))
    assert text == (
        '{"name":"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e'
        '\\u003c!-- \\u0026 ]]\\u003e","line":"a\\u2028b"}'
    )
    assert json.loads(text) == value


def test_script_json_refuses_nan() -> None:
    with pytest.raises(ValueError):
        script_json({"x": float("nan")})


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (12345, "count", "12,345"),
        (7.25, "percent", "7.2%"),
        (None, "percent", "n/a"),
        (None, "text", ""),
        (1500.0, "ms", "1.5 s"),
        (12.5, "money", "$12.50"),
        (True, "text", "yes"),
        ("line one\nline two\u202e", "text", "line one line two"),
        ("2026-11-25T10:00:00+00:00", "time", "2026-11-25 10:00 UTC"),
    ],
)
def test_cell_presents_each_format(value: str | float | None, fmt: str, shown: str) -> None:
    assert cell(value, fmt) == shown


def test_data_table_escapes_cells_and_links_days() -> None:
    data = table(
        "t",
        "T",
        (Column("day", "Day", "date"), Column("name", "Name"), Column("jobs", "Jobs", "count")),
        [("2026-11-25", "<b>a & 'b'</b>", 1234), ("2026-11", None, None)],
    )
    template = environment().from_string(
        '{% from "_partials/_table.html" import data_table with context %}{{ data_table(t) }}'
    )
    html = template.render(t=data, page={"root": "../../"})
    assert (
        '<tbody>\n<tr><td class="fmt-date"><a href="../../daily/2026-11-25/index.html">'
        '2026-11-25</a></td><td class="fmt-text">&lt;b&gt;a &amp; &#39;b&#39;&lt;/b&gt;</td>'
        '<td class="fmt-count">1,234</td></tr>\n'
        '<tr><td class="fmt-date">2026-11</td><td class="fmt-text"></td>'
        '<td class="fmt-count">n/a</td></tr>\n</tbody>'
    ) in html


def test_data_table_says_when_it_is_empty() -> None:
    data = table("t", "T", (Column("a", "A"), Column("b", "B")), [])
    template = environment().from_string(
        '{% from "_partials/_table.html" import data_table with context %}{{ data_table(t) }}'
    )
    html = template.render(t=data, page={"root": ""})
    assert (
        '<tbody>\n<tr><td colspan="2" class="empty">None in this period.</td></tr>\n</tbody>'
    ) in html


def test_environment_autoescapes_and_is_strict() -> None:
    env = environment()
    template = env.from_string("{{ text }}|{{ data | script_json }}")
    assert template.render(text="<b>&", data={"a": "<"}) == '&lt;b&gt;&amp;|{"a":"\\u003c"}'
    with pytest.raises(Exception, match="'missing' is undefined"):
        env.from_string("{{ missing }}").render()


def test_not_found_page_links_from_the_site_root_when_it_is_known() -> None:
    from reportgen.render.site.pages import Assets, Freshness, SiteCommon, page_meta
    from reportgen.render.site.plan import Page, PageKind

    freshness = Freshness(None, "2026-11-30T00:00:00+00:00", "abc", False, 36)
    common = SiteCommon("T", "1", freshness, Assets("a.css", "a.js", "v.js", "s.js"))
    missing = Page(PageKind.NOT_FOUND, "", "404.html")
    assert page_meta(missing, common, "x", has_charts=False).root == ""
    published = SiteCommon(
        "T",
        "1",
        freshness,
        Assets("a.css", "a.js", "v.js", "s.js"),
        base_url="https://o.github.io/r",
    )
    assert page_meta(missing, published, "x", has_charts=False).root == "https://o.github.io/r/"
    day = Page(PageKind.DAILY, "2026-11-25", "daily/2026-11-25/index.html")
    assert page_meta(day, published, "x", has_charts=True).root == "../../"
