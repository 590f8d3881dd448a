"""The benchmark harness: `python -m benchmarks` (see __main__)."""
