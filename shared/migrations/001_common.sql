-- Tables every service has in its own database: keys, audit, outbox, inbox.

CREATE TABLE IF NOT EXISTS api_keys (
    id          uuid PRIMARY KEY,
    key_hash    text NOT NULL UNIQUE,
    role        text NOT NULL CHECK (role IN ('admin', 'officer', 'viewer')),
    officer_id  uuid,
    label       text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

CREATE TABLE IF NOT EXISTS audit_log (
    id              bigserial PRIMARY KEY,
    at              timestamptz NOT NULL DEFAULT now(),
    actor           text NOT NULL,
    action          text NOT NULL,
    subject         text,
    before          jsonb,
    after           jsonb,
    correlation_id  text
);

CREATE TABLE IF NOT EXISTS subject_sequences (
    subject  text PRIMARY KEY,
    last     bigint NOT NULL
);

CREATE TABLE IF NOT EXISTS outbox (
    id            bigserial PRIMARY KEY,
    event_id      uuid NOT NULL UNIQUE,
    topic         text NOT NULL,
    key           text NOT NULL,
    event_type    text NOT NULL,
    subject       text NOT NULL,
    sequence      bigint NOT NULL,
    payload       text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    published_at  timestamptz
);
CREATE INDEX IF NOT EXISTS outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
CREATE INDEX IF NOT EXISTS outbox_subject ON outbox (subject, sequence);

CREATE TABLE IF NOT EXISTS processed_events (
    event_id      uuid PRIMARY KEY,
    processed_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS dead_letters (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    topic       text NOT NULL,
    partition   int,
    "offset"    bigint,
    event_id    text,
    error       text NOT NULL,
    payload     text
);
