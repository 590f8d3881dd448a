"""The benchmark harness end to end on the S tier: it runs, and its figures are printed.

The figures themselves are not asserted (a shared CI runner's timings vary); what is checked
is that every stage ran, beside its bare-engine baseline, and that two runs compare.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
STAGES = [
    "pull",
    "monthly report",
    "all reports of the year",
    "full site build",
    "pull one new day",
    "rebuild after one new day",
]


def _harness(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


@pytest.mark.slow
def test_s_tier_runs_every_stage_beside_its_baseline(tmp_path: Path) -> None:
    figures = tmp_path / "s.json"
    run = _harness("--tier", "S", "--data", str(tmp_path), "--json", str(figures))
    print(run.stdout)  # the figures, for the CI log
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(figures.read_text(encoding="utf-8"))
    assert (result["tier"], result["jobs"], result["days"]) == ("S", 100_000, 90)
    assert [stage["name"] for stage in result["stages"]] == STAGES
    for stage in result["stages"]:
        assert stage["tool"]["exit_code"] == 0, stage
        assert stage["baseline"]["exit_code"] == 0, stage
        assert stage["tool"]["peak_mib"] > 0
    # The pull landed every generated job of the first 89 days; the new day added the rest.
    manifest = json.loads((tmp_path / "S" / "tier.json").read_text(encoding="utf-8"))
    pulled = int(result["stages"][0]["baseline"]["output"])
    total = int(result["stages"][4]["baseline"]["output"])
    assert total == manifest["rows"] and 0 < pulled < total
    assert "peak RSS of any command" in run.stdout

    compared = _harness("--compare", str(figures), str(figures))
    assert compared.returncode == 0, compared.stderr
    assert compared.stdout.splitlines()[1].split() == [
        "stage", "wall", "before", "after", "cpu", "before", "after", "change", "MiB", "before",
        "after",
    ]  # fmt: skip
    assert len(compared.stdout.splitlines()) == 3 + len(STAGES)
    assert all(line.split()[-3] == "1.00x" for line in compared.stdout.splitlines()[3:])
