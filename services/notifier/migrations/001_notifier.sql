-- The notifier's own tables: officers, routing, alerts (the inbox) and the delivery queue.

CREATE TABLE officers (
    id                uuid PRIMARY KEY,
    name              text NOT NULL,
    email             text NOT NULL,
    districts         text[] NOT NULL DEFAULT '{}',   -- empty: every district
    industries        text[] NOT NULL DEFAULT '{}',   -- empty: every industry
    channels          jsonb NOT NULL DEFAULT '[]',
    quiet_start       time,
    quiet_end         time,
    language          text NOT NULL DEFAULT 'zh',
    supervisor_id     uuid REFERENCES officers (id),
    receives_targets  boolean NOT NULL DEFAULT false,
    preferences       jsonb NOT NULL DEFAULT '{}',
    digest_at         time NOT NULL DEFAULT '09:00',
    next_digest_at    timestamptz NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    deleted_at        timestamptz
);
CREATE INDEX officers_digest_due ON officers (next_digest_at) WHERE deleted_at IS NULL;

CREATE TABLE firm_officers (
    firm_id      uuid PRIMARY KEY,
    officer_id   uuid NOT NULL REFERENCES officers (id),
    assigned_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE notifier_settings (
    key         text PRIMARY KEY,
    value       jsonb NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per (source event, officer): the officer's inbox entry. officer_id is NULL for
-- an unrouted alert nobody could take (no fallback configured).
CREATE TABLE alerts (
    id               uuid PRIMARY KEY,
    idempotency_key  text NOT NULL UNIQUE,
    source_event_id  uuid NOT NULL,
    source_event     jsonb NOT NULL,
    subject          text NOT NULL,
    officer_id       uuid REFERENCES officers (id),
    kind             text NOT NULL,
    severity         text NOT NULL,
    critical         boolean NOT NULL,
    firm_id          uuid,
    unrouted         boolean NOT NULL DEFAULT false,
    routed_via       text NOT NULL,
    rendered         jsonb NOT NULL,
    created_at       timestamptz NOT NULL,
    acknowledged_at  timestamptz,
    acknowledged_by  text,
    escalation_of    uuid REFERENCES alerts (id),
    escalated_at     timestamptz,
    escalated_to     uuid REFERENCES officers (id)
);
CREATE INDEX alerts_inbox ON alerts (officer_id, (acknowledged_at IS NOT NULL), created_at DESC);
CREATE INDEX alerts_unrouted ON alerts (created_at DESC) WHERE unrouted;
CREATE INDEX alerts_escalation ON alerts (created_at)
    WHERE critical AND acknowledged_at IS NULL AND escalated_at IS NULL AND escalation_of IS NULL;

-- The persistent delivery queue: one row per (alert, channel), or one digest message.
CREATE TABLE deliveries (
    id                uuid PRIMARY KEY,
    idempotency_key   text NOT NULL UNIQUE,
    alert_id          uuid REFERENCES alerts (id),     -- NULL for a digest message
    officer_id        uuid NOT NULL REFERENCES officers (id),
    channel_key       text NOT NULL,
    channel           text NOT NULL,
    kind              text NOT NULL,                    -- alert kind, or 'digest'
    status            text NOT NULL CHECK (status IN
                          ('pending', 'sending', 'delivered', 'failed', 'held', 'digest')),
    attempts          int NOT NULL DEFAULT 0,
    max_attempts      int NOT NULL,
    next_attempt_at   timestamptz NOT NULL,
    lease_until       timestamptz,
    digest_id         uuid REFERENCES deliveries (id),
    rendered          jsonb,                            -- a digest's own text
    last_status_code  int,
    last_error        text,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    delivered_at      timestamptz
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at)
    WHERE status IN ('pending', 'held', 'sending');
CREATE INDEX deliveries_digest ON deliveries (officer_id, next_attempt_at)
    WHERE status = 'digest' AND digest_id IS NULL;
CREATE INDEX deliveries_by_status ON deliveries (status, updated_at DESC);
CREATE INDEX deliveries_members ON deliveries (digest_id) WHERE digest_id IS NOT NULL;
CREATE INDEX deliveries_alert ON deliveries (alert_id);

CREATE TABLE delivery_attempts (
    id           bigserial PRIMARY KEY,
    delivery_id  uuid NOT NULL REFERENCES deliveries (id),
    attempt      int NOT NULL,
    at           timestamptz NOT NULL,
    ok           boolean NOT NULL,
    status_code  int,
    error        text,
    duration_ms  int NOT NULL
);
CREATE INDEX delivery_attempts_of ON delivery_attempts (delivery_id, id);
