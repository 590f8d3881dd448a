"""Pure Polars metrics: frames and settings in, frozen results out; no I/O, no clock."""
