"""Error analysis: categories by first match, per processor, and the newest errors."""

from __future__ import annotations

import re

import polars as pl

from reportgen.compute.results import ERROR_CATEGORIES, Errors, RecentError
from reportgen.schema import ERROR_CATEGORY_WORDS

RECENT_ERRORS = 50
MESSAGE_CHARS = 500

# Checked in this order; the first category whose words appear wins (see the schema).
CATEGORY_WORDS = ERROR_CATEGORY_WORDS


def category_expr(column: str = "error") -> pl.Expr:
    """The error category of each row, case-insensitive, `unknown` when nothing matches."""
    text = pl.col(column).str.to_lowercase()
    expr: pl.Expr = pl.lit("unknown")
    for category, words in reversed(CATEGORY_WORDS):
        pattern = "|".join(re.escape(word) for word in words)
        expr = pl.when(text.str.contains(pattern)).then(pl.lit(category)).otherwise(expr)
    return expr.fill_null("unknown").alias("category")


# Built once: assembling the expression costs more than applying it to a day's failures.
_CATEGORY = category_expr()
_WHEN = pl.coalesce("completed_at", "created_at").alias("_when")


def categorise(error: str | None) -> str:
    """The category of one message (for callers holding a single error, e.g. an alert)."""
    frame = pl.DataFrame({"error": [error]}, schema={"error": pl.String})
    return str(frame.select(_CATEGORY)["category"][0])


def error_metrics(prepared: pl.DataFrame) -> Errors:
    """Failed jobs by category and by processor, and the newest ones with their messages."""
    # Small reports are dominated by per-query overhead: both answers come from one collect.
    # Messages repeat, so each distinct (processor, message) is categorised once, not each job.
    failed = prepared.lazy().filter(pl.col("status") == "failed")
    by_pair, newest = pl.collect_all(
        [
            failed.group_by("processor_type", "error")
            .len()
            .with_columns(_CATEGORY)
            .group_by("processor_type", "category")
            .agg(pl.col("len").sum())
            .sort("processor_type", "category"),
            failed.with_columns(_WHEN)
            .sort(["_when", "id"], descending=[True, False])
            .head(RECENT_ERRORS)
            .with_columns(_CATEGORY),
        ]
    )
    by_category = dict.fromkeys(ERROR_CATEGORIES, 0)
    by_processor: dict[str, dict[str, int]] = {}
    total = 0
    for processor, category, count in by_pair.iter_rows():
        total += count
        by_category[category] += count
        by_processor.setdefault(processor, dict.fromkeys(ERROR_CATEGORIES, 0))[category] = count
    return Errors(
        total=total,
        by_category=by_category,
        by_processor=by_processor,
        recent=_recent(newest),
    )


def recent_errors(newest: pl.DataFrame) -> tuple[RecentError, ...]:
    """The newest errors of a frame of failed jobs already in order (newest first, at most
    `RECENT_ERRORS`), e.g. read by a bounded query for a window summed from rollups."""
    return _recent(newest.with_columns(_CATEGORY))


def _recent(newest: pl.DataFrame) -> tuple[RecentError, ...]:
    return tuple(
        RecentError(
            id=row["id"],
            created_at=row["created_at"],
            completed_at=row["completed_at"],
            processor=row["processor_type"],
            job_type=row["job_type"],
            repository_name=row["repository_name"],
            category=row["category"],
            message=None if row["error"] is None else row["error"][:MESSAGE_CHARS],
        )
        for row in newest.iter_rows(named=True)
    )
