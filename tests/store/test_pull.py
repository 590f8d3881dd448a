"""The pull: every kind of bad input has one exact outcome, good rows still land."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from reportgen.errors import InputError, StrictPullError
from reportgen.store import PullResult, Store, open_store
from store.rows import job, ndjson, write_ndjson

SNAPSHOT = datetime(2026, 11, 25, 10, tzinfo=UTC)


def counts(result: PullResult, table: str = "jobs") -> tuple[int, ...]:
    found = next(c for c in result.tables if c.table == table)
    return (found.accepted, found.inserted, found.updated, found.unchanged, found.rejected)


def rejects(store: Store) -> list[tuple[Any, ...]]:
    frame = store.rejects().select("source_file", "row_number", "reason", "raw")
    return [(Path(r[0]).name, r[1], r[2], r[3]) for r in frame.rows()]


def job_ids(store: Store) -> list[str]:
    return list(store.table("jobs")["id"])


def contents(store: Store) -> list[tuple[Any, ...]]:
    """Every stored row of every table, with the bookkeeping columns."""
    rows = []
    for table in ("jobs", "rollout_configuration", "rollout_history", "repository_categories"):
        rows += store.connection.sql(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
    rows += store.connection.sql("SELECT * FROM rejects ORDER BY ALL").fetchall()
    return rows


@pytest.fixture
def store(store_path: Path) -> Any:
    with open_store(store_path) as opened:
        yield opened


def pull_lines(
    store: Store, tmp_path: Path, text: str, name: str = "jobs-2026-11-25T10.ndjson"
) -> PullResult:
    path = tmp_path / "snapshots" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return store.pull(str(path))


def test_pull_ndjson_keeps_good_rows_and_rejects_a_truncated_line(
    store: Store, tmp_path: Path
) -> None:
    good = ndjson([job("a"), job("b")])
    truncated = '{"id": "c", "job_type": "recent-prs", "status": "compl'
    result = pull_lines(store, tmp_path, good + truncated + "\n")
    assert counts(result) == (2, 2, 0, 0, 1)
    assert job_ids(store) == ["a", "b"]
    assert rejects(store) == [("jobs-2026-11-25T10.ndjson", 3, "not valid JSON", truncated)]


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"status": "running"}, 'status: unknown value "running"'),
        ({"created_at": "yesterday"}, 'created_at: not a timestamp "yesterday"'),
        (
            {"started_at": "2026-13-45T10:00:00Z"},
            'started_at: not a timestamp "2026-13-45T10:00:00Z"',
        ),
        ({"created_at": 1764061200}, 'created_at: not a timestamp "1764061200"'),
        ({"created_at": "infinity"}, 'created_at: not a timestamp "infinity"'),
        ({"completed_at": "-Infinity"}, 'completed_at: not a timestamp "-Infinity"'),
        ({"id": None}, "missing id"),
        ({"id": ""}, "missing id"),
        ({"status": None, "job_type": None}, "missing job_type; missing status"),
        ({"time_range_days": "seven"}, 'time_range_days: not an integer "seven"'),
        ({"workflow_run_id": 1.5}, 'workflow_run_id: not an integer "1.5"'),
        ({"metadata": "not json"}, 'metadata: not a JSON object "not json"'),
        ({"metadata": [1, 2]}, 'metadata: not a JSON object "[1,2]"'),
        (
            {"started_at": "2026-11-25T09:05:00Z", "completed_at": "2026-11-25T09:01:00Z"},
            "completed_at before started_at",
        ),
    ],
)
def test_pull_rejects_bad_values_with_their_reason(
    store: Store, tmp_path: Path, overrides: dict[str, Any], reason: str
) -> None:
    bad = job("bad", **overrides)
    if overrides.get("id", "x") is None:
        del bad["id"]
    result = pull_lines(store, tmp_path, ndjson([job("good"), bad]))
    assert counts(result) == (1, 1, 0, 0, 1)
    assert job_ids(store) == ["good"]
    assert rejects(store) == [("jobs-2026-11-25T10.ndjson", 2, reason, json.dumps(bad))]


def test_pull_accepts_integral_floats_and_missing_optional_fields(
    store: Store, tmp_path: Path
) -> None:
    row = job("a", workflow_run_id=9000000001.0, time_range_days=" 30 ")
    for name in ("repository_id", "error", "metadata", "updated_at", "started_at"):
        del row[name]
    result = pull_lines(store, tmp_path, ndjson([row]))
    assert counts(result) == (1, 1, 0, 0, 0)
    stored = store.table("jobs").row(0, named=True)
    assert (stored["workflow_run_id"], stored["time_range_days"]) == (9000000001, 30)
    assert (stored["repository_id"], stored["metadata"], stored["updated_at"]) == (None,) * 3


def test_pull_keeps_an_unknown_processor(store: Store, tmp_path: Path) -> None:
    result = pull_lines(store, tmp_path, ndjson([job("a", processor_type="lambda")]))
    assert counts(result) == (1, 1, 0, 0, 0)
    assert list(store.table("jobs")["processor_type"]) == ["lambda"]


def test_pull_keeps_a_2_mb_error_string_intact(store: Store, tmp_path: Path) -> None:
    error = "E" * (2 * 1024 * 1024 - 7) + "\u00e9\u2603 end"
    pull_lines(store, tmp_path, ndjson([job("a", status="failed", error=error)]))
    assert store.table("jobs")["error"][0] == error


def test_pull_keeps_hostile_text_as_data(store: Store, tmp_path: Path) -> None:
    hostile = "x'); DROP TABLE jobs; --<script>alert(1)</script>\"\\\u0000\u202e"
    rows = [job(hostile, repository_name=hostile, error=hostile, job_type=hostile)]
    result = pull_lines(store, tmp_path, ndjson(rows))
    assert counts(result) == (1, 1, 0, 0, 0)
    stored = store.table("jobs").row(0, named=True)
    assert [stored[c] for c in ("id", "repository_name", "error", "job_type")] == [hostile] * 4


def test_pull_rejected_hostile_text_is_kept_raw(store: Store, tmp_path: Path) -> None:
    bad = job("a", status="<b>'; DELETE FROM jobs; --")
    pull_lines(store, tmp_path, ndjson([bad]))
    assert rejects(store) == [
        (
            "jobs-2026-11-25T10.ndjson",
            1,
            'status: unknown value "<b>\'; DELETE FROM jobs; --"',
            json.dumps(bad),
        )
    ]


def test_pull_counts_lines_across_blank_lines_and_crlf(store: Store, tmp_path: Path) -> None:
    lines = [json.dumps(job("a")), "", json.dumps(job("b", status="x")), "  ", "{oops"]
    result = pull_lines(store, tmp_path, "\r\n".join(lines) + "\r\n")
    assert counts(result) == (1, 1, 0, 0, 2)
    assert [(r[1], r[2]) for r in rejects(store)] == [
        (3, 'status: unknown value "x"'),
        (5, "not valid JSON"),
    ]


def test_pull_rejects_a_line_that_is_not_an_object(store: Store, tmp_path: Path) -> None:
    result = pull_lines(store, tmp_path, ndjson([job("a")]) + "[1, 2]\n")
    assert counts(result) == (1, 1, 0, 0, 1)
    assert rejects(store)[0][1:3] == (2, "not a JSON object")


def test_pull_empty_file_is_zero_rows(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    result = pull_lines(store, tmp_path, "")
    assert counts(result) == (0, 0, 0, 0, 0)
    assert result.data_as_of == SNAPSHOT
    assert "jobs-2026-11-25T10.ndjson is empty: no rows" in caplog.text


def test_pull_fake_parquet_is_an_input_error_and_changes_nothing(
    store: Store, tmp_path: Path
) -> None:
    directory = tmp_path / "snapshots"
    write_ndjson(directory / "jobs-2026-11-25T09.ndjson", [job("a")])
    store.pull(str(directory))
    before = contents(store)
    write_ndjson(directory / "jobs-2026-11-25T10.ndjson", [job("a", status="failed")])
    fake = directory / "jobs-2026-11-25T11.parquet"
    fake.write_text("id,status\n1,pending\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        store.pull(str(directory))
    assert str(raised.value).startswith(f"cannot read {fake}: ")
    assert raised.value.hint == "Fix or remove that file and pull again; the store is unchanged."
    assert contents(store) == before
    assert store.connection.sql("SELECT count(*) FROM pulls").fetchall() == [(1,)]


def test_pull_same_file_twice_changes_nothing(store: Store, tmp_path: Path) -> None:
    text = ndjson([job("a"), job("b", status="bogus"), job("c", status="pending")])
    first = pull_lines(store, tmp_path, text)
    before = contents(store)
    second = pull_lines(store, tmp_path, text)
    assert counts(first) == (2, 2, 0, 0, 1)
    assert counts(second) == (2, 0, 0, 2, 1)
    assert contents(store) == before


def test_pull_newer_snapshot_updates_and_older_one_never_overwrites(
    store: Store, tmp_path: Path
) -> None:
    directory = tmp_path / "snapshots"
    pending = job("a", status="pending", started_at=None, completed_at=None, updated_at=None)
    done = job("a", status="completed", updated_at=None)
    older = write_ndjson(directory / "jobs-2026-11-25T10.ndjson", [pending])
    newer = write_ndjson(directory / "jobs-2026-11-25T11.ndjson", [done])
    assert counts(store.pull(str(older))) == (1, 1, 0, 0, 0)
    assert counts(store.pull(str(newer))) == (1, 0, 1, 0, 0)
    assert counts(store.pull(str(older))) == (1, 0, 0, 1, 0)
    assert list(store.table("jobs")["status"]) == ["completed"]


def test_pull_updated_at_outranks_snapshot_time(store: Store, tmp_path: Path) -> None:
    directory = tmp_path / "snapshots"
    late_edit = job("a", status="failed", updated_at="2026-11-25T10:30:00Z")
    stale_copy = job("a", status="completed", updated_at="2026-11-25T09:01:10Z")
    write_ndjson(directory / "jobs-2026-11-25T11.ndjson", [late_edit])
    write_ndjson(directory / "jobs-2026-11-25T12.ndjson", [stale_copy])
    result = store.pull(str(directory))
    assert counts(result) == (2, 1, 0, 1, 0)
    assert list(store.table("jobs")["status"]) == ["failed"]


def test_pull_later_line_wins_within_a_file(store: Store, tmp_path: Path) -> None:
    rows = [job("a", status="pending", updated_at=None), job("a", status="failed", updated_at=None)]
    result = pull_lines(store, tmp_path, ndjson(rows))
    assert counts(result) == (2, 1, 0, 1, 0)
    assert list(store.table("jobs")["status"]) == ["failed"]


def test_pull_strict_with_rejects_fails_and_changes_nothing(store: Store, tmp_path: Path) -> None:
    pull_lines(store, tmp_path, ndjson([job("a")]), name="jobs-2026-11-25T09.ndjson")
    before = contents(store)
    path = tmp_path / "snapshots" / "jobs-2026-11-25T10.ndjson"
    path.write_text(ndjson([job("b"), job("c", status="lost")]), encoding="utf-8")
    with pytest.raises(StrictPullError) as raised:
        store.pull(str(path), strict=True)
    assert str(raised.value) == (
        f'1 row(s) rejected (first: {path} row 2: status: unknown value "lost");'
        " the store was left unchanged"
    )
    assert contents(store) == before


def test_pull_strict_without_rejects_pulls(store: Store, tmp_path: Path) -> None:
    path = write_ndjson(tmp_path / "jobs-2026-11-25T10.ndjson", [job("a")])
    assert counts(store.pull(str(path), strict=True)) == (1, 1, 0, 0, 0)


def test_pull_csv_with_bom_and_crlf(store: Store, tmp_path: Path) -> None:
    header = "ID,job_type,processor_type,status,created_at,metadata,time_range_days"
    lines = [
        header,
        'a,recent-prs,inngest,completed,2026-11-25 09:00:00,"{""n"": 1}",3',
        "b,reviews,github_actions,sleeping,2026-11-25 09:00:00,,",
        "c,reviews,github_actions,pending,2026-11-25T09:00:00+01:00,,",
    ]
    path = tmp_path / "jobs-2026-11-25T10.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")
    result = store.pull(str(path))
    assert counts(result) == (2, 2, 0, 0, 1)
    frame = store.table("jobs")
    assert frame.select("id", "created_at", "metadata", "time_range_days").rows() == [
        ("c", datetime(2026, 11, 25, 8, tzinfo=UTC), None, None),
        ("a", datetime(2026, 11, 25, 9, tzinfo=UTC), '{"n": 1}', 3),
    ]
    assert rejects(store)[0][1:3] == (3, 'status: unknown value "sleeping"')


def test_pull_json_array_postgrest_export(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "jobs-2026-11-25T10.json"
    rows: list[Any] = [job("a"), job("b", status="queued"), 5]
    path.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    result = store.pull(str(path))
    assert counts(result) == (1, 1, 0, 0, 2)
    assert [(r[1], r[2]) for r in rejects(store)] == [
        (2, 'status: unknown value "queued"'),
        (3, "not a JSON object"),
    ]


def test_pull_parquet_with_native_types(store: Store, tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "id": ["a", "b"],
            "job_type": ["recent-prs", "reviews"],
            "processor_type": ["github_actions", "inngest"],
            "status": ["failed", "nope"],
            "created_at": [datetime(2026, 11, 25, 9), datetime(2026, 11, 25, 9, 30)],
            "workflow_run_id": [123, None],
            "metadata": ['{"trigger_source": "manual"}', None],
        }
    )
    path = tmp_path / "jobs-2026-11-25T10.parquet"
    frame.write_parquet(path)
    result = store.pull(str(path))
    assert counts(result) == (1, 1, 0, 0, 1)
    stored = store.table("jobs").row(0, named=True)
    assert (stored["created_at"], stored["workflow_run_id"], stored["metadata"]) == (
        datetime(2026, 11, 25, 9, tzinfo=UTC),
        123,
        '{"trigger_source": "manual"}',
    )
    assert rejects(store)[0][1:3] == (2, 'status: unknown value "nope"')


def test_pull_optional_tables_with_defaults(store: Store, tmp_path: Path) -> None:
    directory = tmp_path / "snapshots"
    write_ndjson(directory / "deployments-2026-11-25.ndjson", [{"id": "d1"}])
    configuration = {"feature_name": "hybrid_progressive_capture", "rollout_percentage": 25}
    (directory / "rollout_configuration.json").write_text(json.dumps([configuration]))
    write_ndjson(
        directory / "repository_categories-2026-11-25.ndjson",
        [
            {"repository_id": "r1", "category": "large", "star_count": 10},
            {"repository_id": "r2", "category": "huge"},
        ],
    )
    result = store.pull(str(directory))
    assert counts(result, "rollout_configuration") == (1, 1, 0, 0, 0)
    assert counts(result, "repository_categories") == (1, 1, 0, 0, 1)
    assert result.skipped == (str(directory / "deployments-2026-11-25.ndjson"),)
    assert store.table("rollout_configuration").row(0, named=True) == {
        "feature_name": "hybrid_progressive_capture",
        "rollout_percentage": 25.0,
        "is_active": None,
        "rollout_strategy": None,
        "max_error_rate": 5.0,
        "monitoring_window_hours": 24,
        "auto_rollback_enabled": True,
        "emergency_stop": False,
        "target_repositories": None,
        "excluded_repositories": None,
        "updated_at": None,
    }


def test_pull_rollout_percentage_out_of_range_is_rejected(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "rollout_configuration-2026-11-25T10.ndjson"
    write_ndjson(path, [{"feature_name": "f", "rollout_percentage": 150, "is_active": "maybe"}])
    result = store.pull(str(path))
    assert counts(result, "rollout_configuration") == (0, 0, 0, 0, 1)
    assert rejects(store)[0][2] == (
        'is_active: not a boolean "maybe"; rollout_percentage: outside 0-100'
    )


def test_pull_logs_the_pull(store: Store, tmp_path: Path) -> None:
    path = write_ndjson(
        tmp_path / "jobs-2026-11-25T10.ndjson",
        [job("a", updated_at="2026-11-25T09:30:00Z"), job("b", status="?")],
    )
    result = store.pull(str(path))
    assert (result.pull_id, result.data_as_of) == (1, SNAPSHOT)
    assert result.watermark == datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
    logged = store.connection.sql(
        "SELECT id, source, files, skipped_files, data_as_of, watermark FROM pulls"
    ).fetchall()
    assert logged == [(1, str(path), 1, 0, SNAPSHOT, result.watermark)]
    assert store.connection.sql("SELECT * FROM pull_counts").fetchall() == [
        (1, "jobs", 1, 1, 1, 0, 0, 1)
    ]
    assert store.data_as_of() == SNAPSHOT


def test_pull_reports_progress_per_file(store: Store, tmp_path: Path) -> None:
    directory = tmp_path / "snapshots"
    write_ndjson(directory / "jobs-2026-11-25T10.ndjson", [job("a")])
    write_ndjson(directory / "jobs-2026-11-25T11.ndjson", [job("b")])
    seen: list[tuple[int, int]] = []
    store.pull(str(directory), progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


@pytest.mark.parametrize("second_line", ['{"id": "b", "status": "x"}', "{bad"])
def test_pull_ndjson_with_a_byte_order_mark(store: Store, tmp_path: Path, second_line: str) -> None:
    path = tmp_path / "jobs-2026-11-25T10.ndjson"
    path.write_bytes(b"\xef\xbb\xbf" + ndjson([job("a")]).encode() + second_line.encode() + b"\n")
    result = store.pull(str(path))
    assert counts(result) == (1, 1, 0, 0, 1)
    assert job_ids(store) == ["a"]
    assert [(r[1], r[3]) for r in rejects(store)] == [(2, second_line)]


def stored_order(store: Store) -> list[str]:
    """The jobs' ids as a scan returns them: the order they were written in."""
    return [row[0] for row in store.connection.sql("SELECT id FROM jobs").fetchall()]


def created(minute: int) -> str:
    return f"2026-11-25T09:{minute:02d}:00Z"


@pytest.mark.parametrize(
    "minutes",
    [
        [1, 2, 3, 4, 5, 6],  # in creation order
        [1, 9, 2, 3, 4, 5],  # one job read early
        [2, 3, 4, 5, 1, 0],  # two jobs read late
        [1, 3, 3, 4, 5, 6],  # a tie, settled by id
    ],
)
def test_pull_writes_the_rows_in_creation_order(
    store: Store, tmp_path: Path, minutes: list[int]
) -> None:
    """Readers rely on it: a store pulled in order is read back in order, unsorted."""
    rows = [job(f"j{n + 1}", created_at=created(m)) for n, m in enumerate(minutes)]
    result = pull_lines(store, tmp_path, ndjson(rows))
    assert counts(result) == (6, 6, 0, 0, 0)
    in_order = sorted(rows, key=lambda r: (r["created_at"], r["id"]))
    assert stored_order(store) == [r["id"] for r in in_order]
