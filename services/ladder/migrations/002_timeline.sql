-- The time-true ladder (docs/rulebook.md "Time"): dated facts in the projection, overrides as
-- dated facts, and the stored timeline (decisions with their date, corrections and supersession).

-- Report versions, each valid from the day it was filed. Rows from before dated facts get
-- the day they were recorded (the firm's last update is the best the ladder knows).
ALTER TABLE reports ADD COLUMN filed_on date;
UPDATE reports r SET filed_on = (f.updated_at AT TIME ZONE 'UTC')::date FROM firms f
    WHERE f.id = r.firm_id;
ALTER TABLE reports ALTER COLUMN filed_on SET NOT NULL;
ALTER TABLE reports ADD COLUMN sequence bigint NOT NULL DEFAULT 0;
ALTER TABLE reports DROP CONSTRAINT reports_pkey;
ALTER TABLE reports ADD PRIMARY KEY (firm_id, fiscal_year, filed_on);

ALTER TABLE firms ADD COLUMN profile_sequence bigint NOT NULL DEFAULT 0;

-- Profile fields and flags as they changed, each valid from its date; the registration
-- holds from the founding date.
CREATE TABLE profile_changes (
    firm_id       uuid NOT NULL REFERENCES firms (id),
    sequence      bigint NOT NULL,
    effective_on  date NOT NULL,
    changes       jsonb NOT NULL,
    PRIMARY KEY (firm_id, sequence)
);
INSERT INTO profile_changes (firm_id, sequence, effective_on, changes)
    SELECT id, 0, founded_on, jsonb_build_object('company_kind', company_kind, 'listed', listed,
           'abnormal_list', abnormal_list, 'dishonest_list', dishonest_list) FROM firms;

-- A revocation may arrive before its grant (another order): kept apart, joined on read.
CREATE TABLE certificate_revocations (
    certificate_id  uuid PRIMARY KEY,
    firm_id         uuid NOT NULL,
    revoked_on      date NOT NULL
);
INSERT INTO certificate_revocations (certificate_id, firm_id, revoked_on)
    SELECT certificate_id, firm_id, revoked_on FROM certificates WHERE revoked_on IS NOT NULL;

-- Manual overrides are dated facts of the ladder's own: set (tier) or lifted (tier NULL).
CREATE TABLE overrides (
    id             bigserial PRIMARY KEY,
    firm_id        uuid NOT NULL REFERENCES firms (id),
    set_on         date NOT NULL,
    tier           text,
    unicorn_grade  text,
    reason         text NOT NULL,
    set_by         text NOT NULL,
    set_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX overrides_firm ON overrides (firm_id, set_on, id);
INSERT INTO overrides (firm_id, set_on, tier, unicorn_grade, reason, set_by, set_at)
    SELECT firm_id, (override_at AT TIME ZONE 'UTC')::date, override_tier, unicorn_grade,
           override_reason, override_by, override_at
    FROM standings WHERE override_tier IS NOT NULL;

-- The stored timeline: current decisions in order; superseded ones stay, marked.
ALTER TABLE decisions ADD COLUMN on_date date;
ALTER TABLE decisions ADD COLUMN position int;
ALTER TABLE decisions ADD COLUMN filed_on date;
ALTER TABLE decisions ADD COLUMN expires_on date;
ALTER TABLE decisions ADD COLUMN override boolean NOT NULL DEFAULT false;
ALTER TABLE decisions ADD COLUMN counts_toward text;
ALTER TABLE decisions ADD COLUMN supersedes uuid;
ALTER TABLE decisions ADD COLUMN superseded_by uuid;
ALTER TABLE decisions ADD COLUMN superseded_at timestamptz;
ALTER TABLE decisions ADD COLUMN current boolean NOT NULL DEFAULT true;
UPDATE decisions SET on_date = (at AT TIME ZONE 'UTC')::date;
UPDATE decisions d SET position = n.position FROM (
    SELECT id, row_number() OVER (PARTITION BY firm_id ORDER BY at, id) - 1 AS position
    FROM decisions) n WHERE n.id = d.id;
ALTER TABLE decisions ALTER COLUMN on_date SET NOT NULL;
ALTER TABLE decisions ALTER COLUMN position SET NOT NULL;
CREATE INDEX decisions_timeline ON decisions (firm_id, position) WHERE current;
CREATE INDEX decisions_on_date ON decisions (on_date, firm_id) WHERE current;

ALTER TABLE entries ADD COLUMN by_override boolean NOT NULL DEFAULT false;
ALTER TABLE standings ADD COLUMN decided_on date;
