-- Dated facts: every annual report carries the day the firm submitted it (its valid date).
-- Existing rows get the day they were recorded (docs/rulebook.md "Time").
ALTER TABLE annual_reports ADD COLUMN filed_on date;
UPDATE annual_reports SET filed_on = (filed_at AT TIME ZONE 'UTC')::date;
ALTER TABLE annual_reports ALTER COLUMN filed_on SET NOT NULL;
