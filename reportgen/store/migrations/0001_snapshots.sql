-- The snapshot tables (columns as in reportgen/schema.py), the rejects and the
-- pull log. Every snapshot table carries the state it came from: `_version_at` (its
-- updated_at, else its snapshot's time), `_snapshot_at` and the `_pull_id` that wrote it, so a
-- newer state wins and an older snapshot never overwrites it. Keys are kept unique by the
-- pull's merge rather than by an index, which would slow a million-row pull for no gain.

CREATE SEQUENCE pull_id_sequence START 1;

CREATE TABLE pulls (
    id BIGINT PRIMARY KEY,
    source VARCHAR NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ NOT NULL,
    files INTEGER NOT NULL,
    skipped_files INTEGER NOT NULL,
    data_as_of TIMESTAMPTZ,          -- the newest jobs snapshot of this pull
    watermark TIMESTAMPTZ            -- the newest updated_at (else created_at) of its jobs
);

CREATE TABLE pull_counts (
    pull_id BIGINT NOT NULL,
    table_name VARCHAR NOT NULL,
    files INTEGER NOT NULL,
    accepted BIGINT NOT NULL,
    inserted BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    unchanged BIGINT NOT NULL,
    rejected BIGINT NOT NULL,
    PRIMARY KEY (pull_id, table_name)
);

-- One row per rejected row of the files last pulled; pulling a file again replaces its rows.
CREATE TABLE rejects (
    table_name VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    row_number BIGINT NOT NULL,      -- NDJSON line; CSV line (header = 1); JSON array element; Parquet row
    reason VARCHAR NOT NULL,
    raw VARCHAR,                     -- the line as read (NDJSON, JSON) or the row's values as JSON
    snapshot_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE jobs (
    id VARCHAR NOT NULL,
    job_type VARCHAR NOT NULL,
    repository_id VARCHAR,
    repository_name VARCHAR,
    processor_type VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    started_at TIMESTAMPTZ,
    completed_at TIMESTAMPTZ,
    error VARCHAR,
    time_range_days BIGINT,
    workflow_run_id BIGINT,
    metadata JSON,
    updated_at TIMESTAMPTZ,
    _version_at TIMESTAMPTZ NOT NULL,
    _snapshot_at TIMESTAMPTZ NOT NULL,
    _pull_id BIGINT NOT NULL
);

CREATE TABLE rollout_configuration (
    feature_name VARCHAR NOT NULL,
    rollout_percentage DOUBLE NOT NULL,
    is_active BOOLEAN,
    rollout_strategy VARCHAR,
    max_error_rate DOUBLE,
    monitoring_window_hours BIGINT,
    auto_rollback_enabled BOOLEAN,
    emergency_stop BOOLEAN,
    target_repositories JSON,
    excluded_repositories JSON,
    updated_at TIMESTAMPTZ,
    _version_at TIMESTAMPTZ NOT NULL,
    _snapshot_at TIMESTAMPTZ NOT NULL,
    _pull_id BIGINT NOT NULL
);

CREATE TABLE rollout_history (
    id VARCHAR NOT NULL,
    feature_name VARCHAR,
    action VARCHAR NOT NULL,
    previous_percentage DOUBLE,
    new_percentage DOUBLE,
    reason VARCHAR,
    triggered_by VARCHAR,
    metadata JSON,
    created_at TIMESTAMPTZ NOT NULL,
    _version_at TIMESTAMPTZ NOT NULL,
    _snapshot_at TIMESTAMPTZ NOT NULL,
    _pull_id BIGINT NOT NULL
);

CREATE TABLE repository_categories (
    repository_id VARCHAR NOT NULL,
    category VARCHAR NOT NULL,
    is_test_repository BOOLEAN,
    star_count BIGINT,
    contributor_count BIGINT,
    pr_count BIGINT,
    _version_at TIMESTAMPTZ NOT NULL,
    _snapshot_at TIMESTAMPTZ NOT NULL,
    _pull_id BIGINT NOT NULL
);
