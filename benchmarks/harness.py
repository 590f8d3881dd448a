"""Run one tier: every stage as its own process, beside the bare engine doing the same work.

Each measured piece is a fresh process (a `reportgen` command, or `benchmarks.work` for the
bare engine and the reports alone), so its wall time, CPU time and peak resident memory
(ru_maxrss, from wait4) are its own. On a shared two-core machine CPU time is the steadier
figure; peak RSS is the one the memory targets are about.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.tiers import YEAR_END, Tier, TierFiles

# Every tier holds all of November 2025.
MONTH = date(2025, 11, 1)


@dataclass(frozen=True)
class Run:
    """One process: what it was, how long it took and how much memory it held at most."""

    label: str
    wall_s: float
    cpu_s: float
    peak_mib: float
    exit_code: int
    output: str

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


@dataclass(frozen=True)
class Stage:
    """A stage of the tool beside its bare-engine baseline; `target` is printed, not asserted."""

    name: str
    tool: Run
    baseline: Run | None
    target: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline.wall_s <= 0:
            return None
        return self.tool.wall_s / self.baseline.wall_s


@dataclass
class Result:
    tier: str
    jobs: int
    days: int
    started_at: str
    machine: dict[str, Any]
    settings: dict[str, str]
    stages: list[Stage] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for stage, raw in zip(self.stages, data["stages"], strict=True):
            raw["ratio"] = stage.ratio
        return data

    @property
    def peak_mib(self) -> float:
        return max((stage.tool.peak_mib for stage in self.stages), default=0.0)


def run_process(label: str, command: list[str], cwd: Path, env: dict[str, str]) -> Run:
    """Run `command` to its end; wait4 gives its own rusage (and its waited children's)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return Run(
        label,
        round(wall, 3),
        round(usage.ru_utime + usage.ru_stime, 3),
        round(usage.ru_maxrss / 1024, 1),
        process.returncode,
        output.strip()[-2000:],
    )


class Bench:
    def __init__(
        self, files: TierFiles, work: Path, log: Any = print, settings: dict[str, str] | None = None
    ) -> None:
        self.files = files
        self.tier: Tier = files.tier
        self.work = work
        self.log = log
        self.store = work / "store.duckdb"
        self.bare = work / "bare.duckdb"
        self.site = work / "site"
        self.env = {
            key: value for key, value in os.environ.items() if not key.startswith("REPORTGEN_")
        }
        # Store settings under test (`--set memory_limit=512MB`), as the environment gives them.
        for name, value in (settings or {}).items():
            self.env[f"REPORTGEN_STORE__{name.upper()}"] = value
        self.env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [os.environ.get("PYTHONPATH", ""), str(Path(__file__).parent.parent)])
        )

    def _reportgen(self, label: str, as_of: datetime, *args: str) -> Run:
        command = [
            sys.executable,
            "-m",
            "reportgen",
            "--store",
            str(self.store),
            "--as-of",
            as_of.isoformat(),
            "--quiet",
            *args,
        ]
        return self._run(label, command)

    def _work(self, label: str, *args: str) -> Run:
        return self._run(label, [sys.executable, "-m", "benchmarks.work", *args])

    def _run(self, label: str, command: list[str]) -> Run:
        run = run_process(label, command, self.work, self.env)
        state = "" if run.ok else f"  FAILED (exit {run.exit_code}): {run.output[-500:]}"
        self.log(
            f"  {label:<34} {run.wall_s:8.2f} s  {run.cpu_s:8.2f} s cpu"
            f"  {run.peak_mib:8.0f} MiB{state}"
        )
        return run

    def run(self) -> list[Stage]:
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        tier, files = self.tier, self.files
        t0, t1 = tier.initial_as_of, tier.final_as_of
        jobs_files = str(files.initial / "jobs-*.parquet")  # the files `pull` reads
        stages = []

        bare = self._work("bare: CREATE TABLE AS", "bare-load", str(self.bare), jobs_files)
        pull = self._reportgen("pull", t0, "pull", "--source", str(files.initial))
        stages.append(Stage("pull", pull, bare, "<= 2x bare"))
        if not pull.ok:
            return stages  # every later stage would measure an empty store

        month_start = datetime.combine(MONTH, datetime.min.time(), UTC)
        month_end = datetime.combine(date(2025, 12, 1), datetime.min.time(), UTC)
        bare = self._work(
            "bare: month query",
            "bare-query",
            str(self.bare),
            "month",
            month_start.isoformat(),
            month_end.isoformat(),
        )
        out = self.work / "monthly.json"
        monthly = self._reportgen(
            "monthly report",
            t0,
            "report",
            "monthly",
            "--date",
            MONTH.isoformat(),
            "--format",
            "json",
            "--out",
            str(out),
        )
        stages.append(Stage("monthly report", monthly, bare, "<= 2x bare"))

        year_start = tier.start
        all_bare = self._work(
            "bare: every period's query",
            "bare-query",
            str(self.bare),
            "all",
            year_start.isoformat(),
            YEAR_END.isoformat(),
        )
        reports = self._work("all reports", "reports", str(self.store), t0.isoformat())
        stages.append(Stage("all reports of the year", reports, all_bare, "<= 2x bare"))

        build = self._reportgen(
            "full site build",
            t0,
            "build",
            "--out",
            str(self.site),
            "--no-pull",
            "--full",
            "--no-notify",
        )
        target = "M <= 15 s, L <= 60 s"
        stages.append(Stage("full site build", build, all_bare, target))

        new_file = str(files.new_file())
        bare = self._work("bare: INSERT the new day", "bare-add", str(self.bare), new_file)
        pulled = self._reportgen("pull the new day", t1, "pull", "--source", str(files.new))
        stages.append(Stage("pull one new day", pulled, bare, "<= 2x bare"))

        new_day = datetime.combine(YEAR_END.date(), datetime.min.time(), UTC)
        since = min(new_day.replace(day=1), new_day - timedelta(days=new_day.weekday()))
        bare = self._work(
            "bare: the new day's periods",
            "bare-query",
            str(self.bare),
            "new",
            since.isoformat(),
            (new_day + timedelta(days=1)).isoformat(),
        )
        rebuild = self._reportgen(
            "rebuild after one new day", t1, "build", "--out", str(self.site), "--no-pull",
            "--no-notify",
        )  # fmt: skip
        stages.append(Stage("rebuild after one new day", rebuild, bare, "M <= 1.5 s, L <= 5 s"))
        return stages


def machine() -> dict[str, Any]:
    memory = 0
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) // 1024
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "memory_mib": memory,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }
