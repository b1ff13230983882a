-- The registry's own tables: firms and their facts.

CREATE TABLE firms (
    id              uuid PRIMARY KEY,
    row_no          bigserial UNIQUE,
    uscc            text NOT NULL UNIQUE,
    name            text NOT NULL,
    district        text NOT NULL,
    industry        text NOT NULL,
    founded_on      date NOT NULL,
    company_kind    text NOT NULL,
    listed          boolean NOT NULL DEFAULT false,
    abnormal_list   boolean NOT NULL DEFAULT false,
    dishonest_list  boolean NOT NULL DEFAULT false,
    sequence        bigint NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX firms_district_industry ON firms (district, industry, row_no);

CREATE TABLE annual_reports (
    firm_id                 uuid NOT NULL REFERENCES firms (id),
    fiscal_year             int NOT NULL,
    revenue                 bigint NOT NULL,
    sales_revenue           bigint NOT NULL,
    total_assets            bigint NOT NULL,
    employees               int NOT NULL,
    st_staff                int NOT NULL,
    rd_expense              bigint NOT NULL,
    st_activity_investment  bigint NOT NULL,
    high_tech_revenue       bigint NOT NULL,
    ip_class1               int NOT NULL,
    ip_class2               int NOT NULL,
    total_cost              bigint,
    version                 int NOT NULL DEFAULT 1,
    filed_at                timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (firm_id, fiscal_year)
);

-- every replaced version of a report, so a restatement never loses the old values
CREATE TABLE annual_report_history (
    id           bigserial PRIMARY KEY,
    firm_id      uuid NOT NULL,
    fiscal_year  int NOT NULL,
    version      int NOT NULL,
    data         jsonb NOT NULL,
    replaced_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE funding_rounds (
    id                    uuid PRIMARY KEY,
    firm_id               uuid NOT NULL REFERENCES firms (id),
    closed_on             date NOT NULL,
    amount                bigint NOT NULL,
    currency              text NOT NULL,
    post_money_valuation  bigint NOT NULL,
    investor_kind         text NOT NULL,
    recorded_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX funding_rounds_firm ON funding_rounds (firm_id, closed_on);

CREATE TABLE certificates (
    id             uuid PRIMARY KEY,
    firm_id        uuid NOT NULL REFERENCES firms (id),
    kind           text NOT NULL,
    issued_on      date NOT NULL,
    expires_on     date,
    number         text,
    revoked_on     date,
    revoke_reason  text,
    granted_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX certificates_firm ON certificates (firm_id, kind);

CREATE TABLE imports (
    id           uuid PRIMARY KEY,
    kind         text NOT NULL,
    status       text NOT NULL,
    total_rows   int NOT NULL DEFAULT 0,
    applied      int NOT NULL DEFAULT 0,
    unchanged    int NOT NULL DEFAULT 0,
    errors       jsonb NOT NULL DEFAULT '[]',
    actor        text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz
);
