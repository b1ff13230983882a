-- The ladder's own data: its projection of firm facts, standings, decisions, targets.

CREATE TABLE firms (
    id              uuid PRIMARY KEY,
    name            text NOT NULL,
    district        text NOT NULL,
    industry        text NOT NULL,
    founded_on      date NOT NULL,
    company_kind    text NOT NULL,
    listed          boolean NOT NULL,
    abnormal_list   boolean NOT NULL,
    dishonest_list  boolean NOT NULL,
    last_sequence   bigint NOT NULL DEFAULT 0,   -- last registry sequence applied
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX firms_district_industry ON firms (district, industry);

CREATE TABLE reports (
    firm_id      uuid NOT NULL REFERENCES firms (id),
    fiscal_year  int NOT NULL,
    data         jsonb NOT NULL,
    PRIMARY KEY (firm_id, fiscal_year)
);

CREATE TABLE funding_rounds (
    round_id              uuid PRIMARY KEY,
    firm_id               uuid NOT NULL REFERENCES firms (id),
    closed_on             date NOT NULL,
    amount                bigint NOT NULL,
    currency              text NOT NULL,
    post_money_valuation  bigint NOT NULL,
    investor_kind         text NOT NULL
);
CREATE INDEX funding_rounds_firm ON funding_rounds (firm_id);

CREATE TABLE certificates (
    certificate_id  uuid PRIMARY KEY,
    firm_id         uuid NOT NULL REFERENCES firms (id),
    kind            text NOT NULL,
    issued_on       date NOT NULL,
    expires_on      date,
    revoked_on      date
);
CREATE INDEX certificates_firm ON certificates (firm_id);

CREATE TABLE standings (
    firm_id          uuid PRIMARY KEY REFERENCES firms (id),
    tier             text NOT NULL DEFAULT 'none',
    unicorn_grade    text,
    at_risk          boolean NOT NULL DEFAULT false,
    filed_on         date,
    expires_on       date,
    fiscal_year      int,
    round_year       int,
    rulebook_id      text,
    decision_id      uuid,
    evaluated_tier   text,              -- what the rules say now (may differ while at risk)
    override_tier    text,
    override_reason  text,
    override_by      text,
    override_at      timestamptz,
    near_miss_tier   text,              -- the tier it nearly reaches, when it does
    expiry_notice_for date,             -- the expiry date a FilingExpiring was sent for
    trace            jsonb,
    next_tier        jsonb,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX standings_tier ON standings (tier);
CREATE INDEX standings_expires ON standings (expires_on) WHERE expires_on IS NOT NULL;

CREATE TABLE decisions (
    id                uuid PRIMARY KEY,
    firm_id           uuid NOT NULL REFERENCES firms (id),
    at                timestamptz NOT NULL DEFAULT clock_timestamp(),
    change            text NOT NULL,
    from_tier         text NOT NULL,
    to_tier           text NOT NULL,
    unicorn_grade     text,
    at_risk           boolean NOT NULL,
    fiscal_year       int,
    round_year        int NOT NULL,
    rulebook_id       text NOT NULL,
    reason            text NOT NULL,
    actor             text NOT NULL DEFAULT 'ladder',
    trigger_event_id  uuid,
    inputs            jsonb,
    trace             jsonb
);
CREATE INDEX decisions_firm ON decisions (firm_id, at DESC);

-- a firm entering a tier (or getting a certificate) from below, counted once per year
CREATE TABLE entries (
    year         int NOT NULL,
    key          text NOT NULL,
    firm_id      uuid NOT NULL,
    entered_on   date NOT NULL,
    decision_id  uuid,
    PRIMARY KEY (year, key, firm_id)
);

CREATE TABLE targets (
    year        int NOT NULL,
    key         text NOT NULL,
    target      int NOT NULL CHECK (target >= 0),
    updated_by  text NOT NULL DEFAULT 'seed',
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (year, key)
);
INSERT INTO targets (year, key, target) VALUES
    (2022, 'eaglet', 170), (2022, 'gazelle', 30), (2022, 'unicorn', 1),
    (2022, 'high_tech_enterprise', 500), (2022, 'tech_sme', 1000);

CREATE TABLE target_state (
    year        int NOT NULL,
    key         text NOT NULL,
    pace        text,
    milestones  text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (year, key)
);

CREATE TABLE rulebooks (
    id           text PRIMARY KEY,
    document     jsonb NOT NULL,
    status       text NOT NULL CHECK (status IN ('active', 'draft')),
    uploaded_by  text NOT NULL,
    uploaded_at  timestamptz NOT NULL DEFAULT now()
);
