-- Alerts for now, a record for the past: an event about something older than
-- NOTIFIER_HISTORY_AFTER_DAYS when it arrived is kept on the firm's record (history), never in
-- an inbox nor sent; each officer has at most one summary of it (kind 'history_summary').
ALTER TABLE alerts ADD COLUMN history boolean NOT NULL DEFAULT false;
-- the date of what the alert tells (a decision's, a list's, a deadline's), not the row's
ALTER TABLE alerts ADD COLUMN occurred_on date;
CREATE INDEX alerts_history ON alerts (officer_id, kind) WHERE history;
CREATE INDEX alerts_inbox_now ON alerts (officer_id, (acknowledged_at IS NOT NULL), created_at DESC)
    WHERE NOT history;
