"""`reportgen sample`: a deterministic generator of realistic snapshots of the job system."""

from reportgen.sample.generator import generate_jobs, generate_lives, make_world
from reportgen.sample.jobs import JobLife
from reportgen.sample.spec import DEFAULT_END, SampleSpec
from reportgen.sample.writer import SampleSummary, snapshot_times, write_sample

__all__ = [
    "DEFAULT_END",
    "JobLife",
    "SampleSpec",
    "SampleSummary",
    "generate_jobs",
    "generate_lives",
    "make_world",
    "snapshot_times",
    "write_sample",
]
