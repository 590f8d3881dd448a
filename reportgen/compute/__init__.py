"""Pure Polars metrics (SPEC §3.1): frames and settings in, frozen results out; no I/O, no clock."""
