from __future__ import annotations

import unicodedata
from typing import Any

import pytest

from reportgen.render import formatting as fmt


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, "n/a"), (0, "0"), (12345, "12,345"), (2.6, "3"), (float("nan"), "n/a")],
)
def test_count_separates_thousands(value: float | None, shown: str) -> None:
    assert fmt.count(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, "n/a"), (0.0, "0.0%"), (7.2345, "7.2%"), (100, "100.0%"), (float("inf"), "n/a")],
)
def test_percent_rounds_to_one_decimal(value: float | None, shown: str) -> None:
    assert fmt.percent(value) == shown


@pytest.mark.parametrize(
    ("bounds", "shown"),
    [(None, "n/a"), ([5.06, 9.84], "5.1–9.8%"), ([0.0, 100.0], "0.0–100.0%"), ([1.0], "n/a")],
)
def test_interval_shows_both_bounds(bounds: list[float] | None, shown: str) -> None:
    assert fmt.interval(bounds) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "n/a"),
        (0, "$0.00"),
        (0.0002, "$0.0002"),
        (0.5, "$0.50"),
        (0.0042, "$0.0042"),
        (1234.567, "$1,234.57"),
        (-0.25, "-$0.25"),
        (-12.5, "-$12.50"),
    ],
)
def test_money_keeps_fractions_of_a_cent(value: float | None, shown: str) -> None:
    assert fmt.money(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "n/a"),
        (0, "0 ms"),
        (850.4, "850 ms"),
        (1_000, "1.0 s"),
        (59_940, "59.9 s"),
        (61_000, "1 min 01 s"),
        (3_600_000, "1 h 00 min"),
        (5_430_000, "1 h 30 min"),
        (90_000_000, "1 d 1 h"),
        (-1_500, "-1.5 s"),
    ],
)
def test_duration_ms_uses_readable_units(value: float | None, shown: str) -> None:
    assert fmt.duration_ms(value) == shown


def test_duration_s_reads_seconds() -> None:
    assert fmt.duration_s(3_725) == "1 h 02 min"
    assert fmt.duration_s(None) == "n/a"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "n/a"),
        ("2026-11-25T10:00:00+00:00", "2026-11-25 10:00 UTC"),
        ("2026-11-25T10:00:59Z", "2026-11-25 10:00 UTC"),
        ("2026-11-25T10:00:00+01:00", "2026-11-25 10:00 +0100"),
        ("2026-11-25T10:00:00", "2026-11-25 10:00 UTC"),
        ("not a time\n", "not a time"),
    ],
)
def test_timestamp_shows_minutes_and_offset(value: str | None, shown: str) -> None:
    assert fmt.timestamp(value) == shown


@pytest.mark.parametrize(
    ("text", "limit", "shown"),
    [
        (None, None, ""),
        ("a\nb\r\n\tc  d", None, "a b c d"),
        ("bell\x07 escape\x1b[2J", None, "bell escape [2J"),
        ("right\u202eleft", None, "rightleft"),
        ("abcdefghij", 5, "abcd…"),
        ("abcd", 5, "abcd"),
    ],
)
def test_plain_text_is_one_safe_line(text: str | None, limit: int | None, shown: str) -> None:
    assert fmt.plain_text(text, limit) == shown


@pytest.mark.parametrize(
    ("trend", "shown"),
    [
        (None, "n/a"),
        ({"change_pct": 12.46, "direction": "up"}, "+12.5% ↑"),
        ({"change_pct": -30.0, "direction": "down"}, "-30.0% ↓"),
        ({"change_pct": 1.0, "direction": "flat"}, "+1.0% →"),
        ({"change_pct": None, "direction": "new"}, "new"),
        ({"change_pct": 50.0, "direction": "inconclusive"}, "+50.0% (inconclusive)"),
        ({"change_pct": None, "direction": "flat"}, "n/a →"),
    ],
)
def test_trend_label_shows_change_and_direction(trend: dict[str, Any] | None, shown: str) -> None:
    assert fmt.trend_label(trend) == shown


@pytest.mark.parametrize(
    ("metric", "value", "shown"),
    [
        ("error_rate", 7.25, "7.2%"),
        ("p95_processing_time_ms", 61_000, "1 min 01 s"),
        ("cost", 12.5, "$12.50"),
        ("jobs", 1234, "1,234"),
        ("processor_jobs.cost_rate", 3, "3"),
        ("jobs_inngest", None, "n/a"),
    ],
)
def test_metric_value_uses_the_unit_of_its_name(
    metric: str, value: float | None, shown: str
) -> None:
    assert fmt.metric_value(metric, value) == shown


@pytest.mark.parametrize(
    ("metric", "label"),
    [
        ("processing_time_p95_ms", "p95 processing time"),
        ("processor_jobs.github_actions", "jobs on github_actions"),
        ("something_new", "something_new"),
    ],
)
def test_metric_label_names_trends_for_people(metric: str, label: str) -> None:
    assert fmt.metric_label(metric) == label


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("p95 353757 ms vs 180000 ms", "p95 5 min 54 s vs 3 min 00 s"),
        ("waited 12.5 ms", "waited 12 ms"),
        ("no durations: 3 ms2, v1.5 ms", "no durations: 3 ms2, v1.5 ms"),
    ],
)
def test_readable_durations_in_sentences(text: str, shown: str) -> None:
    assert fmt.readable_durations(text) == shown


def test_cost_ratio_and_cost_per_billed_job() -> None:
    assert fmt.ratio(1.34, 0.04) == "33.5×"
    assert fmt.ratio(0.01, 1.0) == "0.01×"
    assert fmt.ratio(1.0, 0.0) == "n/a"
    cost = {"actual": 1.0, "inngest_jobs": 150, "github_actions_jobs": 60, "pending_jobs": 10}
    assert fmt.cost_per_billed_job(cost) == "$0.0050"
    # Cents keep four decimals: `$0.01` would hide a 30 % difference.
    assert fmt.cost_per_billed_job(cost | {"actual": 2.28}) == "$0.0114"
    assert fmt.cost_per_billed_job(cost | {"actual": 400.0}) == "$2.00"
    assert fmt.cost_per_billed_job(cost | {"inngest_jobs": 0, "github_actions_jobs": 0}) == "n/a"


def test_score_is_a_whole_number() -> None:
    assert [fmt.score(100.0), fmt.score(49.6), fmt.score(None)] == ["100", "50", "n/a"]


def test_plain_text_drops_and_spaces_exactly_the_unicode_categories() -> None:
    """Every control (Cc) and line/paragraph separator (Zl, Zp) becomes a space and every
    bidirectional control goes, over all of Unicode, as a per-character check would do."""
    breaks = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) in {"Cc", "Zl", "Zp"}]
    assert all(fmt.plain_text(f"a{char}b") == "a b" for char in breaks)
    assert all(fmt.plain_text(f"a{char}b") == "ab" for char in "\u202a\u202e\u2066\u2069")
    bidi = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    others = [chr(c) for c in range(0x3000) if chr(c) not in breaks and chr(c) not in bidi]
    assert all(
        fmt.plain_text(f"a{char}b") == ("a b" if char.isspace() else f"a{char}b") for char in others
    )
