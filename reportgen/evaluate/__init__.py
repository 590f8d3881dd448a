"""Rules → findings; the alert lifecycle and circuit breaker build on them."""
