-- The entitlements service's own data: policy sets, the firm facts policies read, entitlements
-- and their dated steps. Common tables (keys, audit, outbox, inbox) come from shared/migrations.

CREATE TABLE policy_sets (
    id            text NOT NULL,
    version       int NOT NULL,
    status        text NOT NULL CHECK (status IN ('draft', 'active', 'retired')),
    body          jsonb NOT NULL,
    uploaded_by   text NOT NULL,
    uploaded_at   timestamptz NOT NULL DEFAULT now(),
    activated_at  timestamptz,
    PRIMARY KEY (id, version)
);
CREATE UNIQUE INDEX policy_sets_one_active ON policy_sets ((true)) WHERE status = 'active';

CREATE TABLE firm_facts (
    firm_id     uuid PRIMARY KEY,
    facts       jsonb NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE entitlements (
    id              uuid PRIMARY KEY,          -- uuid5 of (firm, policy, trigger)
    firm_id         uuid NOT NULL,
    policy_id       text NOT NULL,
    trigger_key     text NOT NULL,
    firm            jsonb NOT NULL,            -- FirmRef: id, name, district, industry
    district        text,
    policy_name     text NOT NULL,
    policy_set      text NOT NULL,
    policy_version  int NOT NULL,
    budget_line     text NOT NULL,
    provisional     boolean NOT NULL,
    trigger_kind    text NOT NULL,
    trigger_on      date NOT NULL,
    year            int NOT NULL,
    amount          bigint NOT NULL,           -- the chosen option's, else the best option's
    options         jsonb NOT NULL,            -- the trace: each option, its figure and band
    complete        boolean NOT NULL,
    ceiling         bigint,                    -- most it may come to while figures are missing
    state           text NOT NULL CHECK (state IN ('computed', 'offered', 'confirmed',
                        'approved', 'paid', 'declined', 'expired', 'cancelled')),
    chosen_option   text,
    paid_amount     bigint,
    paid_on         date,
    offered_on      date,
    reminded_at     timestamptz,
    cancel_reason   text,                      -- 'trigger' when the trigger went away
    review          text,                      -- a change finance must look at (never applied)
    computed_at     timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (firm_id, policy_id, trigger_key)
);
CREATE INDEX entitlements_year ON entitlements (year, state);
CREATE INDEX entitlements_offered ON entitlements (offered_on) WHERE state = 'offered';

CREATE TABLE entitlement_steps (
    id              bigserial PRIMARY KEY,
    entitlement_id  uuid NOT NULL REFERENCES entitlements (id),
    from_state      text,
    to_state        text NOT NULL,
    on_date         date NOT NULL,
    at              timestamptz NOT NULL DEFAULT now(),
    by              text NOT NULL,
    amount          bigint NOT NULL,
    option_id       text,
    note            text
);
CREATE INDEX entitlement_steps_of ON entitlement_steps (entitlement_id, id);
