-- The watermark of every table a database pull read: the newest change time (updated_at, else
-- created_at) it saw. The next pull from the same source (by its label, which never holds a
-- password) reads only rows changed since. File pulls read whole files and record none.

CREATE TABLE pull_watermarks (
    pull_id BIGINT NOT NULL,
    table_name VARCHAR NOT NULL,
    watermark TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (pull_id, table_name)
);
