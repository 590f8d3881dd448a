-- Hourly rollups of the jobs table, kept by every pull for the hours its jobs belong to, so
-- reports over weeks and months read a few thousand cells instead of millions of rows.
-- Hours and days are UTC (`date_trunc`); a period whose edges are not whole UTC hours (days,
-- for the daily tables) reads its ragged edges from the jobs themselves. Durations are whole microseconds,
-- so sums are exact; `billed_minutes_up` is each finished job's minutes rounded up, summed,
-- so the cost of rollups is the cost of rows to the cent. Filled from the stored jobs right
-- after this migration (reportgen.store.rollups.rebuild).

CREATE TABLE job_rollups (
    hour TIMESTAMPTZ NOT NULL,
    processor_type VARCHAR NOT NULL,
    job_type VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    jobs BIGINT NOT NULL,
    processing_count BIGINT NOT NULL,      -- completed jobs with a non-negative processing time
    processing_sum_us HUGEINT NOT NULL,
    processing_min_us BIGINT,
    processing_max_us BIGINT,
    wait_count BIGINT NOT NULL,            -- jobs with a non-negative queue wait
    wait_sum_us HUGEINT NOT NULL,
    wait_min_us BIGINT,
    wait_max_us BIGINT,
    billed_minutes_up BIGINT NOT NULL,     -- finished jobs with both timestamps: minutes, each rounded up
    billed_us HUGEINT NOT NULL,            -- the same jobs' exact time (for rounding = exact)
    untimed_finished BIGINT NOT NULL,      -- finished jobs missing a timestamp
    errors_rate_limit BIGINT NOT NULL,     -- failed jobs by error category
    errors_network BIGINT NOT NULL,
    errors_authentication BIGINT NOT NULL,
    errors_not_found BIGINT NOT NULL,
    errors_database BIGINT NOT NULL,
    errors_validation BIGINT NOT NULL,
    errors_unknown BIGINT NOT NULL
);

-- The latency sketches, per UTC day and processor (what reports read: overall and per
-- processor): one row per non-empty log bucket of processing time or queue wait (in ms; see
-- reportgen.compute.sketch). Sketches merge by adding counts. A day, not an hour, and not
-- per job type and status: the buckets of a cell that small outnumber its jobs (measured:
-- 1.9 M bucket rows for 1 M jobs), while a day's are bounded by the ~700 buckets of 1 ms..1 h.
CREATE TABLE job_rollup_sketches (
    day TIMESTAMPTZ NOT NULL,
    processor_type VARCHAR NOT NULL,
    measure VARCHAR NOT NULL CHECK (measure IN ('processing', 'wait')),
    bucket INTEGER NOT NULL,
    jobs BIGINT NOT NULL
);

-- Jobs and failures per repository and processor each UTC day: the top repositories and the
-- participation of a long period without reading its rows.
CREATE TABLE repository_rollups (
    day TIMESTAMPTZ NOT NULL,
    repository_id VARCHAR NOT NULL,
    processor_type VARCHAR NOT NULL,
    jobs BIGINT NOT NULL,
    failed BIGINT NOT NULL,
    repository_name VARCHAR                -- the greatest name seen (a renamed repository)
);
