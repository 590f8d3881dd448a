"""reportgen's benchmark: each stage beside the bare engine doing the same work, in one run.

    python -m benchmarks                      # the S tier (100 k jobs / 90 days)
    python -m benchmarks --tier M             # 10 M jobs / 365 days (heavy)
    python -m benchmarks --compare OLD.json NEW.json

A tier's Parquet files are generated once under --data and reused. Stages: pull, one monthly
report, every report of the year, the full site build, the pull of one new day and the rebuild
after it; each with wall time, CPU time and peak RSS, and the bare DuckDB baseline. Figures are
printed and written as JSON; targets are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.harness import Bench, Result, machine
from benchmarks.tiers import TIERS, ensure_tier

DEFAULT_DATA = Path("/tmp/reportgen-bench")
GIB = 1024.0


def _row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(
        cell.ljust(width) if index == 0 else cell.rjust(width)
        for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
    )


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [_row(rows[0], widths), _row(["-" * w for w in widths], widths)]
    return "\n".join(lines + [_row(row, widths) for row in rows[1:]])


def result_table(result: dict[str, Any]) -> str:
    rows = [
        [
            "stage",
            "wall s",
            "cpu s",
            "peak MiB",
            "bare wall s",
            "bare cpu s",
            "bare MiB",
            "x wall",
            "x cpu",
            "target",
        ]
    ]
    for stage in result["stages"]:
        tool, bare = stage["tool"], stage["baseline"]
        failed = "" if tool["exit_code"] == 0 else f" (exit {tool['exit_code']})"
        rows.append(
            [
                stage["name"] + failed,
                f"{tool['wall_s']:.2f}",
                f"{tool['cpu_s']:.2f}",
                f"{tool['peak_mib']:.0f}",
                f"{bare['wall_s']:.2f}" if bare else "-",
                f"{bare['cpu_s']:.2f}" if bare else "-",
                f"{bare['peak_mib']:.0f}" if bare else "-",
                f"{stage['ratio']:.1f}" if stage["ratio"] is not None else "-",
                f"{tool['cpu_s'] / bare['cpu_s']:.1f}" if bare and bare["cpu_s"] else "-",
                stage["target"],
            ]
        )
    peak = max((s["tool"]["peak_mib"] for s in result["stages"]), default=0.0)
    return (
        f"tier {result['tier']}: {result['jobs']:,} jobs over {result['days']} days,"
        f" {result['machine']['cpus']} CPUs\n"
        + _table(rows)
        + f"\npeak RSS of any command: {peak / GIB:.2f} GiB (target M <= 0.5 GiB, L <= 4 GiB)"
    )


def compare_table(old: dict[str, Any], new: dict[str, Any]) -> str:
    before = {stage["name"]: stage["tool"] for stage in old["stages"]}
    rows = [
        ["stage", "wall before", "after", "cpu before", "after", "change", "MiB before", "after"]
    ]
    for stage in new["stages"]:
        was, now = before.get(stage["name"]), stage["tool"]
        if was is None:
            continue
        # CPU time: on a shared machine the steadier measure of work done.
        change = now["cpu_s"] / was["cpu_s"] if was["cpu_s"] else float("nan")
        rows.append(
            [
                stage["name"],
                f"{was['wall_s']:.2f}",
                f"{now['wall_s']:.2f}",
                f"{was['cpu_s']:.2f}",
                f"{now['cpu_s']:.2f}",
                f"{change:.2f}x",
                f"{was['peak_mib']:.0f}",
                f"{now['peak_mib']:.0f}",
            ]
        )
    title = (
        f"tier {new['tier']}: {old['started_at']} {old.get('settings') or ''}"
        f" -> {new['started_at']} {new.get('settings') or ''}"
    )
    return title + "\n" + _table(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--tier", choices=sorted(TIERS), default="S", help="default S")
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help=f"tiers and work files ({DEFAULT_DATA})"
    )
    parser.add_argument("--json", type=Path, help="where to write the figures")
    parser.add_argument(
        "--generate-only", action="store_true", help="generate the tier's files and stop"
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a store setting for every command, e.g. --set memory_limit=1GB --set threads=1",
    )
    parser.add_argument(
        "--compare", nargs=2, type=Path, metavar=("OLD", "NEW"), help="before/after of two runs"
    )
    args = parser.parse_args(argv)
    if args.compare:
        old, new = (json.loads(path.read_text(encoding="utf-8")) for path in args.compare)
        print(compare_table(old, new))
        return 0
    settings = dict(item.split("=", 1) for item in args.set if "=" in item)
    tier = TIERS[args.tier]
    print(f"== tier {tier.name}: {tier.jobs:,} jobs over {tier.days} days, data in {args.data}")
    files = ensure_tier(tier, args.data)
    if args.generate_only:
        return 0
    result = Result(
        tier.name,
        tier.jobs,
        tier.days,
        datetime.now(UTC).isoformat(timespec="seconds"),
        machine(),
        settings,
    )
    result.stages = Bench(files, args.data / f"run-{tier.name}", settings=settings).run()
    data = result.to_dict()
    print(result_table(data))
    out = args.json or args.data / f"result-{tier.name}.json"
    out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"figures written to {out}")
    return 0 if all(stage.tool.ok for stage in result.stages) else 1


if __name__ == "__main__":
    sys.exit(main())
