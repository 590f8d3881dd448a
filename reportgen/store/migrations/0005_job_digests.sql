-- A digest of every UTC hour's jobs, kept by every pull with the rollups (for the hours the
-- pull touched), so a site build tells which pages changed from a few thousand rows instead
-- of hashing every stored job. `digest` is the sum (mod 2^64) of a hash of each job's id,
-- status and updated_at: any change to a job changes its status or updated_at.

CREATE TABLE job_digests (
    hour TIMESTAMPTZ NOT NULL,
    jobs BIGINT NOT NULL,
    digest UBIGINT NOT NULL
);

INSERT INTO job_digests
SELECT date_trunc('hour', created_at), count(*),
       CAST(sum(hash(id, status, updated_at)) % 18446744073709551616 AS UBIGINT)
FROM jobs GROUP BY ALL;
