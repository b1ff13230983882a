-- The round (申报 → 推荐 → 备案): the registry's filings and applications as the ladder keeps
-- them, the rounds' dates, and per-round counts kept current by the consumer.

CREATE TABLE filings (
    filing_id       uuid PRIMARY KEY,
    firm_id         uuid NOT NULL REFERENCES firms (id),
    tier            text NOT NULL,
    unicorn_grade   text,
    listed_on       date NOT NULL,
    expires_on      date NOT NULL,
    list_name       text NOT NULL,
    application_id  uuid,
    revoked_on      date,
    sequence        bigint NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX filings_firm ON filings (firm_id);
CREATE INDEX filings_list ON filings (tier, listed_on);

-- An application and its steps folded into columns; `sequence` is the registry sequence of
-- the last event applied, so a replayed older event changes nothing.
CREATE TABLE applications (
    application_id       uuid PRIMARY KEY,
    firm_id              uuid NOT NULL REFERENCES firms (id),
    round_year           int NOT NULL,
    tier                 text NOT NULL,
    applied_on           date NOT NULL,
    state                text NOT NULL DEFAULT 'applied',
    last_on              date NOT NULL,
    district_checked_on  date,
    district_passed      boolean,
    recommended_on       date,
    decided_on           date,
    filing_id            uuid,
    reason               text,
    sequence             bigint NOT NULL
);
CREATE INDEX applications_round ON applications (round_year, tier);
CREATE INDEX applications_firm ON applications (firm_id, round_year);

-- A year's round: the tiers open and the dates (docs/rulebook.md "The round").
CREATE TABLE rounds (
    year                  int PRIMARY KEY,
    tiers                 text[] NOT NULL,
    firm_deadline         date,
    district_deadline     date,
    city_deadline         date,
    publication_expected  date,
    updated_by            text NOT NULL,
    updated_at            timestamptz NOT NULL DEFAULT now()
);

-- Reminders the ladder published: one per round, deadline and lead time.
CREATE TABLE round_reminders (
    year      int NOT NULL,
    deadline  text NOT NULL,
    days      int NOT NULL,
    sent_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (year, deadline, days)
);

-- Lists the ladder announced (FilingListPublished), once each.
CREATE TABLE list_announcements (
    tier       text NOT NULL,
    list_name  text NOT NULL,
    sent_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tier, list_name)
);

-- The worklist's qualifying firms: by the rules' tier, without reading every standing.
CREATE INDEX standings_evaluated ON standings (evaluated_tier)
    WHERE evaluated_tier IS NOT NULL AND evaluated_tier <> 'none';
