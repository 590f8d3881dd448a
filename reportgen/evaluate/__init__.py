"""Rules → findings (SPEC §4.1); the alert lifecycle and circuit breaker build on them."""
