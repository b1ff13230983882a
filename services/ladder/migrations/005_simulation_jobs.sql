-- What-if runs as jobs: computed in a worker process (off the service's event loop), so every
-- process of the ladder can answer GET /v1/simulation-jobs/{id} with the progress and the result.
CREATE TABLE simulation_jobs (
    id           uuid PRIMARY KEY,
    status       text NOT NULL DEFAULT 'queued',  -- queued | running | done | failed
    firms_done   integer NOT NULL DEFAULT 0,
    firms_total  integer,
    request      jsonb NOT NULL,
    result       jsonb,
    problem      text,
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz
);
CREATE INDEX simulation_jobs_created_at ON simulation_jobs (created_at);
