"""How long `reportgen build` takes for a year of jobs, beside computing its reports alone.

    .venv/bin/python benchmarks/bench_build.py                 # 1 M jobs
    .venv/bin/python benchmarks/bench_build.py --jobs 10000000

Generates a year of jobs into a store under /tmp (bench_report's SQL generator), then times,
each in a fresh process:

  * reports only: every report the site shows (365 daily, 53 weekly, 12 monthly), computed
    from the store with nothing rendered or written;
  * the full build of the site (`--full --no-pull --no-notify`);
  * a rebuild after one more day of jobs is added (six hours of 1 January);
  * and prints the largest page, apart from the shared Vega bundle.

Targets (printed, not asserted): full build <= 2x reports + 20 ms per chart; rebuild <= 10 %
of the full build; every page < 150 KB.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_report import AS_OF, generate
from measure import measure

from reportgen.commands.build import BuildOptions, run_build
from reportgen.config import Settings, StoreSettings
from reportgen.render.site.plan import plan_site
from reportgen.report.loader import StoreReports
from reportgen.store import open_store

BUILT_AT = datetime(2026, 1, 1, 6, 5, tzinfo=UTC)
PAGE_LIMIT = 150 * 1024
CHART_BUDGET_S = 0.020

# Six hours of the year's last day again, one day later and under new ids: "a new day".
ADD_DAY = """
INSERT INTO jobs
SELECT * REPLACE (
    'next-' || id AS id,
    created_at + INTERVAL 1 DAY AS created_at,
    started_at + INTERVAL 1 DAY AS started_at,
    completed_at + INTERVAL 1 DAY AS completed_at,
    updated_at + INTERVAL 1 DAY AS updated_at)
FROM jobs
WHERE created_at >= TIMESTAMPTZ '2025-12-31 00:00:00+00'
  AND created_at < TIMESTAMPTZ '2025-12-31 06:00:00+00'
"""


def _settings(path: Path) -> Settings:
    return Settings(store=StoreSettings(path=path))


def reports_only(path: Path) -> int:
    """Every report of the site's pages, as the build computes them, and nothing else."""
    settings = _settings(path)
    with open_store(path, wait_seconds=30, read_only=True) as store:
        source = StoreReports(store, settings, AS_OF)
        plan = plan_site(source.span(), "UTC", AS_OF, {})
        reports = [source.report(page.period) for page in plan.pages if page.period]
    return len(reports)


def build(path: Path, site: Path, full: bool) -> tuple[int, int, int]:
    options = BuildOptions(site, pull=False, full=full, notify=False)
    result = run_build(_settings(path), AS_OF, options, built_at=BUILT_AT, commit="bench")
    charts = sum(
        page.read_text(encoding="utf-8").count('class="chart-spec"')
        for page in site.rglob("*.html")
    )
    return result.computed, result.written, charts


def add_day(path: Path) -> int:
    con = duckdb.connect(str(path), config={"autoinstall_known_extensions": False})
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(ADD_DAY)
        return int(con.sql("SELECT count(*) FROM jobs").fetchall()[0][0])
    finally:
        con.close()


def largest_page(site: Path) -> tuple[str, int]:
    sizes = [
        (p.relative_to(site).as_posix(), p.stat().st_size)
        for p in site.rglob("*")
        if p.is_file() and p.parent.name != "assets" and not p.name.startswith(".")
    ]
    return max(sizes, key=lambda item: item[1])


def run(jobs: int, directory: Path) -> None:
    path, site = directory / f"bench-{jobs}.duckdb", directory / "site"
    print(measure(f"generate {jobs:,} jobs", generate, path, jobs).line())
    reports = measure("reports only", reports_only, path)
    print(reports.line())
    full = measure("full build", build, path, site, True)
    print(full.line(reports))
    computed, written, charts = full.result
    budget = 2 * reports.wall_s + CHART_BUDGET_S * charts
    verdict = "met" if full.wall_s <= budget else "MISSED"
    print(
        f"  full build: {computed} reports, {written} files, {charts} charts;"
        f" target <= {budget:.1f} s (2x reports + 20 ms/chart), {verdict}"
    )
    name, size = largest_page(site)
    print(
        f"  largest page {name}: {size / 1024:.1f} KB ({'met' if size < PAGE_LIMIT else 'MISSED'})"
    )
    print(f"  jobs after adding a day: {add_day(path):,}")
    again = measure("rebuild after a new day", build, path, site, False)
    print(again.line(full))
    share = again.wall_s / full.wall_s
    print(
        f"  rebuild: {again.result[0]} reports, {again.result[1]} files;"
        f" {share:.1%} of the full build ({'met' if share <= 0.10 else 'MISSED'}, target <= 10 %)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--jobs", type=int, default=1_000_000, help="jobs to generate")
    parser.add_argument("--keep", action="store_true", help="keep the store and site in /tmp")
    args = parser.parse_args(argv)
    directory = Path(tempfile.mkdtemp(prefix="reportgen-bench-build-"))
    print(f"== {args.jobs:,} jobs over 365 days, in {directory} ==")
    try:
        run(args.jobs, directory)
    finally:
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
