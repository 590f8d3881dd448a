"""Rollout writes: the rollback, the only code that changes a rollout configuration.

A rollback reads the feature's active rollout row from its target (the job system's PostgreSQL
database, or the local store when there is none), then changes the row and writes its
`rollout_history` row in one transaction guarded by compare-and-set on the value it read, and
reads the row again to verify. `reportgen rollback` and the circuit breaker share this path.
"""
