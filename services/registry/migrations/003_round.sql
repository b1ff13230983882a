-- The round (申报 → 推荐 → 备案): official filings and applications are dated facts.

-- A filing: the firm's entry on a published list (the province's; the city's for leaders).
CREATE TABLE filings (
    id              uuid PRIMARY KEY,
    firm_id         uuid NOT NULL REFERENCES firms (id),
    tier            text NOT NULL,
    unicorn_grade   text,
    listed_on       date NOT NULL,
    expires_on      date NOT NULL,
    list_name       text NOT NULL,
    application_id  uuid,
    source          text NOT NULL DEFAULT 'manual',
    revoked_on      date,
    revoke_reason   text,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX filings_firm ON filings (firm_id, listed_on);
-- the same list names a firm once per tier: an import run twice records nothing new
CREATE UNIQUE INDEX filings_once ON filings (firm_id, tier, list_name) WHERE revoked_on IS NULL;

-- An application in a year's round for one tier, with its state and last step's date.
CREATE TABLE applications (
    id           uuid PRIMARY KEY,
    firm_id      uuid NOT NULL REFERENCES firms (id),
    round_year   int NOT NULL,
    tier         text NOT NULL,
    applied_on   date NOT NULL,
    state        text NOT NULL DEFAULT 'applied',
    last_on      date NOT NULL,
    filing_id    uuid REFERENCES filings (id),
    recorded_by  text NOT NULL,
    note         text,
    recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX applications_firm ON applications (firm_id, round_year, tier);

-- Each dated step, who recorded it and why.
CREATE TABLE application_steps (
    application_id  uuid NOT NULL REFERENCES applications (id),
    n               int NOT NULL,
    step            text NOT NULL,
    on_date         date NOT NULL,
    passed          boolean,
    reason          text,
    filing_id       uuid,
    recorded_by     text NOT NULL,
    note            text,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (application_id, n)
);
