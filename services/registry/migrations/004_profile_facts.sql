-- Profile fields and compliance flags as dated facts (docs/rulebook.md "Time"): each value
-- is valid from a date, recorded at a time by someone; a correction moves a fact's date and
-- marks the fact it corrects. The firms row keeps the profile valid today.
CREATE TABLE profile_facts (
    id            uuid PRIMARY KEY,
    n             bigserial UNIQUE,          -- recording order: breaks ties of one valid date
    firm_id       uuid NOT NULL REFERENCES firms (id),
    field         text NOT NULL,
    value         jsonb NOT NULL,
    valid_from    date NOT NULL,
    source        text NOT NULL,             -- registered | changed | corrected | migrated
    sequence      bigint NOT NULL,           -- the firm event that carried it
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    recorded_by   text,
    corrects      uuid REFERENCES profile_facts (id),
    corrected_by  uuid REFERENCES profile_facts (id),
    corrected_at  timestamptz
);
CREATE INDEX profile_facts_firm ON profile_facts (firm_id, field, valid_from, n);

-- Existing data: every registration, profile change and flag change in the outbox becomes a
-- fact valid from the date its event carries (its effective_on; the day it was recorded on
-- events without one; the founding date for a registration), in the events' order.
INSERT INTO profile_facts (id, firm_id, field, value, valid_from, source, sequence, recorded_at)
SELECT gen_random_uuid(), f.id, kv.key, kv.value,
       CASE WHEN o.event_type = 'FirmRegistered' THEN f.founded_on
            ELSE coalesce((p -> 'data' ->> 'effective_on')::date,
                          (o.created_at AT TIME ZONE 'UTC')::date) END,
       CASE WHEN o.event_type = 'FirmRegistered' THEN 'registered' ELSE 'migrated' END,
       o.sequence, o.created_at
FROM outbox o
CROSS JOIN LATERAL (SELECT o.payload::jsonb AS p) j
JOIN firms f ON f.id::text = o.subject
CROSS JOIN LATERAL (
    SELECT e.key, e.value FROM jsonb_each(p -> 'data' -> 'firm') e
     WHERE o.event_type = 'FirmRegistered' AND e.key NOT IN ('id', 'uscc')
    UNION ALL
    SELECT e.key, e.value -> 'after' FROM jsonb_each(p -> 'data' -> 'changed') e
     WHERE o.event_type = 'FirmProfileChanged'
    UNION ALL
    SELECT p -> 'data' ->> 'flag', p -> 'data' -> 'value'
     WHERE o.event_type = 'ComplianceFlagChanged'
) kv
WHERE o.event_type IN ('FirmRegistered', 'FirmProfileChanged', 'ComplianceFlagChanged')
ORDER BY o.subject, o.sequence;

-- A firm whose current value no event explains (none should) keeps it from its founding.
INSERT INTO profile_facts (id, firm_id, field, value, valid_from, source, sequence, recorded_at)
SELECT gen_random_uuid(), f.id, v.key, v.value, f.founded_on, 'migrated', 0, f.created_at
FROM firms f
CROSS JOIN LATERAL jsonb_each(jsonb_build_object(
    'name', f.name, 'district', f.district, 'industry', f.industry, 'founded_on', f.founded_on,
    'company_kind', f.company_kind, 'listed', f.listed, 'abnormal_list', f.abnormal_list,
    'dishonest_list', f.dishonest_list)) v
WHERE NOT EXISTS (SELECT 1 FROM profile_facts pf WHERE pf.firm_id = f.id AND pf.field = v.key);

-- The firms row holds the profile valid today (it held the last value recorded, which a
-- change recorded late with an earlier date could leave in the past).
UPDATE firms f SET
    name = coalesce(c.v ->> 'name', f.name),
    district = coalesce(c.v ->> 'district', f.district),
    industry = coalesce(c.v ->> 'industry', f.industry),
    founded_on = coalesce((c.v ->> 'founded_on')::date, f.founded_on),
    company_kind = coalesce(c.v ->> 'company_kind', f.company_kind),
    listed = coalesce((c.v -> 'listed')::boolean, f.listed),
    abnormal_list = coalesce((c.v -> 'abnormal_list')::boolean, f.abnormal_list),
    dishonest_list = coalesce((c.v -> 'dishonest_list')::boolean, f.dishonest_list)
FROM (SELECT firm_id, jsonb_object_agg(field, value) AS v
      FROM (SELECT DISTINCT ON (firm_id, field) firm_id, field, value FROM profile_facts
            WHERE corrected_by IS NULL AND valid_from <= current_date
            -- the founding date: its latest recorded value holds on every date
            ORDER BY firm_id, field,
                     CASE WHEN field = 'founded_on' THEN NULL ELSE valid_from END DESC NULLS LAST,
                     n DESC) latest
      GROUP BY firm_id) c
WHERE c.firm_id = f.id;
