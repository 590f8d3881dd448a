-- Alert lifecycle state, its history, the notification outbox and the circuit-breaker audit
-- log. One row per alert key in alert_state; everything else is append-only.

CREATE TABLE IF NOT EXISTS alert_state (
    key             VARCHAR PRIMARY KEY,
    rule            VARCHAR NOT NULL,
    scope           VARCHAR NOT NULL,
    state           VARCHAR NOT NULL
        CHECK (state IN ('normal', 'pending', 'firing', 'resolved', 'inconclusive')),
    severity        VARCHAR,
    first_seen      TIMESTAMPTZ,
    firing_since    TIMESTAMPTZ,
    last_notified   TIMESTAMPTZ,
    last_evaluated  TIMESTAMPTZ,
    healthy_streak  INTEGER NOT NULL DEFAULT 0,
    message         VARCHAR NOT NULL DEFAULT '',
    value           DOUBLE,
    threshold       DOUBLE,
    sentry_event_id VARCHAR,
    issue_number    BIGINT
);

CREATE SEQUENCE IF NOT EXISTS alert_transition_id START 1;
CREATE TABLE IF NOT EXISTS alert_transitions (
    id         BIGINT PRIMARY KEY DEFAULT nextval('alert_transition_id'),
    key        VARCHAR NOT NULL,
    rule       VARCHAR NOT NULL,
    scope      VARCHAR NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL,
    from_state VARCHAR NOT NULL,
    to_state   VARCHAR NOT NULL,
    severity   VARCHAR,
    notified   VARCHAR,
    message    VARCHAR NOT NULL,
    value      DOUBLE,
    threshold  DOUBLE
);

CREATE SEQUENCE IF NOT EXISTS alert_outbox_id START 1;
CREATE TABLE IF NOT EXISTS alert_outbox (
    id              BIGINT PRIMARY KEY DEFAULT nextval('alert_outbox_id'),
    channel         VARCHAR NOT NULL CHECK (channel IN ('sentry', 'github')),
    key             VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL,
    payload         JSON NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_attempt_at TIMESTAMPTZ,
    last_error      VARCHAR,
    delivered_at    TIMESTAMPTZ,
    delivery_ref    VARCHAR
);

CREATE SEQUENCE IF NOT EXISTS breaker_audit_id START 1;
CREATE TABLE IF NOT EXISTS breaker_audit (
    id                 BIGINT PRIMARY KEY DEFAULT nextval('breaker_audit_id'),
    as_of              TIMESTAMPTZ NOT NULL,
    rollback           BOOLEAN NOT NULL,
    executed           BOOLEAN NOT NULL,
    reason             VARCHAR NOT NULL,
    rollout_percentage DOUBLE,
    checks             JSON NOT NULL
);
