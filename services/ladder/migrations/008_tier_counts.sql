-- Firms per tier (unicorn by grade) kept by the consumer (issue 21): the funnel and the summary
-- read these small rows instead of scanning the city's standings or its timeline per request.
--
-- Kept as moves per year: a firm adds +1 to (year 0, its district and industry, 'none') when
-- first counted, and for each year in which its standing at the year's end changed, -1 to the
-- old standing and +1 to the new one. The firms on a tier at the end of year Y are the sum of
-- the moves of years <= Y; today's are the sum of all of them (the timeline ends today). A
-- recomputation subtracts the firm's old contribution (its stored timeline, under the district
-- and industry it was counted in) and adds the new one, in the same transaction.
CREATE TABLE tier_moves (
    year           int NOT NULL,
    district       text NOT NULL,
    industry       text NOT NULL,
    tier           text NOT NULL,
    unicorn_grade  text NOT NULL DEFAULT '',  -- '' for no grade (the key may hold no NULL)
    firms          int NOT NULL,              -- the change in firms at the year's end
    at_risk        int NOT NULL,              -- the change in firms at risk among them
    PRIMARY KEY (year, district, industry, tier, unicorn_grade)
);

-- where each firm was counted: the moves to take back when its district or industry changes
ALTER TABLE standings ADD COLUMN counted_district text;
ALTER TABLE standings ADD COLUMN counted_industry text;

-- Backfill from the stored timelines, so an upgraded stack reads the right counts at once.
UPDATE standings s SET counted_district = f.district, counted_industry = f.industry
    FROM firms f WHERE f.id = s.firm_id;

WITH years AS (
    SELECT DISTINCT firm_id, extract(year FROM on_date)::int AS year
    FROM decisions WHERE current),
at_end AS (  -- each firm's standing at the end of each year it has a decision in
    SELECT y.firm_id, y.year, l.to_tier AS tier, coalesce(l.unicorn_grade, '') AS grade,
           l.at_risk
    FROM years y CROSS JOIN LATERAL (
        SELECT to_tier, unicorn_grade, at_risk FROM decisions d
        WHERE d.firm_id = y.firm_id AND d.current AND d.on_date < make_date(y.year + 1, 1, 1)
        ORDER BY d.position DESC LIMIT 1) l),
changes AS (
    SELECT firm_id, year, tier, grade, at_risk,
           lag(tier, 1, 'none') OVER w AS was_tier, lag(grade, 1, '') OVER w AS was_grade,
           lag(at_risk, 1, false) OVER w AS was_at_risk
    FROM at_end WINDOW w AS (PARTITION BY firm_id ORDER BY year)),
moves AS (
    SELECT s.firm_id, 0 AS year, 'none' AS tier, '' AS grade, 1 AS firms, 0 AS at_risk
    FROM standings s
    UNION ALL
    SELECT firm_id, year, tier, grade, 1, at_risk::int FROM changes
    UNION ALL
    SELECT firm_id, year, was_tier, was_grade, -1, -(was_at_risk::int) FROM changes)
INSERT INTO tier_moves (year, district, industry, tier, unicorn_grade, firms, at_risk)
SELECT m.year, f.district, f.industry, m.tier, m.grade, sum(m.firms), sum(m.at_risk)
FROM moves m JOIN firms f ON f.id = m.firm_id
GROUP BY 1, 2, 3, 4, 5 HAVING sum(m.firms) <> 0 OR sum(m.at_risk) <> 0;
