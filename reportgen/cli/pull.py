"""`reportgen pull [--source PATH|URL] [--strict]`: pull snapshots and print what changed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from reportgen.cli import common
from reportgen.cli.app import app

if TYPE_CHECKING:
    from reportgen.store import PullResult

COLUMNS = ("files", "accepted", "inserted", "updated", "unchanged", "rejected")


@app.command()
@common.reports_errors
def pull(
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            metavar="PATH|URL",
            help="Snapshot directory, glob or file, or a postgresql:// URL (default:"
            " REPORTGEN_DATABASE_URL, else source.path in the config).",
        ),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail, changing nothing, if any row is rejected.")
    ] = False,
) -> None:
    """Pull snapshots into the store: validate, keep the newest state, log rejects."""
    from reportgen.commands.pull import run_pull  # late: the store loads DuckDB

    settings = common.settings()
    with common.progress_bar("Pulling snapshots") as progress:
        result = run_pull(settings, source=source, strict=strict, progress=progress)
    typer.echo(describe(result))


def describe(result: PullResult) -> str:
    """The pull as a few lines and a plain aligned table of counts per table."""
    skipped = f", skipped {len(result.skipped)}" if result.skipped else ""
    as_of = result.data_as_of.isoformat() if result.data_as_of else "unknown (no jobs files)"
    parts = f"{len(result.origins)} {result.unit}(s)"
    header = (f"{result.unit}s", *COLUMNS[1:])
    lines = [
        f"Pulled {parts} from {result.source}{skipped}; data as of {as_of}",
        *result.notes,
        "",
        f"{'table':<24}" + "".join(f"{name:>11}" for name in header),
    ]
    for counts in result.tables:
        values = (getattr(counts, name) for name in COLUMNS)
        lines.append(f"{counts.table:<24}" + "".join(f"{value:>11}" for value in values))
    if result.rejected:
        shown = len(result.first_rejects)
        listed = "" if shown == result.rejected else f"; the first {shown}"
        more = " (all are in the store's rejects table)" if listed else ""
        lines += ["", f"{result.rejected} row(s) rejected{listed}{more}:"]
        lines += [
            f"  {reject.source_file} row {reject.row_number}: {reject.reason}"
            for reject in result.first_rejects
        ]
    return "\n".join(lines)
