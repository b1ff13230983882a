-- Candidates ranked as facts change: each firm's verdict against the tier one step above,
-- judged on `judged_on` (kept by the consumer for the firms it recomputes; the sweep judges
-- every firm again when the day or the rulebook changed). GET /v1/candidates reads a page of
-- this instead of judging the whole city per request, when the city was judged today.
CREATE TABLE candidate_ranks (
    firm_id           uuid NOT NULL,
    tier              text NOT NULL,             -- the tier it is a candidate for
    failing_count     integer NOT NULL,
    relative_gap_sum  double precision NOT NULL,
    current_tier      text NOT NULL,
    unicorn_grade     text,
    missing           text[] NOT NULL,           -- the sentences of what it lacks
    gaps              text[] NOT NULL,           -- the same as catalogue keys: JSON objects
    judged_on         date NOT NULL,
    PRIMARY KEY (firm_id, tier)
);
CREATE INDEX candidate_ranks_closest ON candidate_ranks (tier, failing_count, relative_gap_sum, firm_id);
CREATE INDEX candidate_ranks_gap ON candidate_ranks (tier, relative_gap_sum, failing_count);

-- The day (and rulebook) the whole city was last judged on: reads use candidate_ranks only
-- when this is today's and the active rulebook's.
CREATE TABLE candidate_judgement (
    only_row     boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    judged_on    date NOT NULL,
    rulebook_id  text NOT NULL
);
