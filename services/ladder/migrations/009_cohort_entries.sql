-- Each firm's first eaglet and first gazelle filing (by the rules or by hand), kept on its
-- standing by the consumer from the timeline it stores (issue 21): the cohorts table reads the
-- eaglet-filed firms through a partial index instead of grouping every current decision of
-- the city per request (131 ms at 50,000 firms, growing faster than the city).
ALTER TABLE standings ADD COLUMN first_eaglet_on date;
ALTER TABLE standings ADD COLUMN first_gazelle_on date;

-- Backfill from the stored timelines, so an upgraded stack reads the same cohorts at once.
UPDATE standings s SET first_eaglet_on = e.eaglet_on, first_gazelle_on = e.gazelle_on
FROM (SELECT firm_id,
             min(on_date) FILTER (WHERE to_tier = 'eaglet') AS eaglet_on,
             min(on_date) FILTER (WHERE to_tier = 'gazelle') AS gazelle_on
      FROM decisions WHERE current AND change IN ('promoted', 'override')
      GROUP BY firm_id) e
WHERE e.firm_id = s.firm_id;

CREATE INDEX standings_first_eaglet ON standings (first_eaglet_on) INCLUDE (first_gazelle_on)
    WHERE first_eaglet_on IS NOT NULL;
