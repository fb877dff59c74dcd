-- Analysts' judgements: statuses for 'manuell' indicators, overrides of computed colours,
-- and an audit log of every change a person makes.

CREATE SEQUENCE manual_status_ids START 1;
CREATE TABLE manual_statuses (
    id                   BIGINT PRIMARY KEY DEFAULT nextval('manual_status_ids'),
    indicator_id         VARCHAR NOT NULL,
    period               VARCHAR NOT NULL,
    colour               VARCHAR NOT NULL,      -- Grön, Gul, Röd
    text                 VARCHAR NOT NULL,
    author               VARCHAR NOT NULL,
    created_at           TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- An override replaces a computed colour for one plan year, indicator and period. Rows are
-- never deleted: withdrawing sets withdrawn_at, so the history stays readable.
CREATE SEQUENCE override_ids START 1;
CREATE TABLE assessment_overrides (
    id                   BIGINT PRIMARY KEY DEFAULT nextval('override_ids'),
    plan_year            INTEGER NOT NULL,
    indicator_id         VARCHAR NOT NULL,
    period               VARCHAR NOT NULL,
    colour               VARCHAR NOT NULL,
    comment              VARCHAR NOT NULL,
    author               VARCHAR NOT NULL,
    created_at           TIMESTAMP NOT NULL DEFAULT current_timestamp,
    withdrawn_at         TIMESTAMP,
    withdrawn_by         VARCHAR
);

CREATE SEQUENCE audit_ids START 1;
CREATE TABLE audit_log (
    id                   BIGINT PRIMARY KEY DEFAULT nextval('audit_ids'),
    logged_at            TIMESTAMP NOT NULL DEFAULT current_timestamp,
    user_name            VARCHAR NOT NULL,
    action               VARCHAR NOT NULL,      -- kommentar, bedömning, ändrad bedömning, …
    target               VARCHAR NOT NULL,      -- e.g. hushall_ekb 2025-T2
    detail               VARCHAR
);
