-- Each firm's facts carry a version, raised by every write that changes them (a batch of the
-- firm's registry events, a tier set by hand), so a what-if worker that keeps the city's
-- facts between jobs reloads only the firms whose facts moved since its last job (issue 21).
ALTER TABLE firms ADD COLUMN facts_version bigint NOT NULL DEFAULT 0;
