-- Core tables: catalogue, units, plans, values, comments, uploads.
-- Catalogue tables are rebuilt from data/catalogue/*.yaml; values, comments and uploads are
-- the committee's own data and are never dropped by a catalogue sync.

CREATE TABLE meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE TABLE indicators (
    id                   VARCHAR PRIMARY KEY,
    name                 VARCHAR NOT NULL,
    description          VARCHAR,
    unit                 VARCHAR NOT NULL,   -- antal, procent, tkr, kr, dagar, index, ja/nej, text
    frequency            VARCHAR NOT NULL,   -- månad, tertial, år, status
    direction            VARCHAR NOT NULL,   -- lägre, högre, ingen
    unit_aggregation     VARCHAR NOT NULL,   -- sum, mean, none
    period_aggregation   VARCHAR NOT NULL,   -- sum, mean, last, r12
    source               VARCHAR NOT NULL,   -- 'uppladdning' or a Kolada KPI id
    kolada_kpi           VARCHAR,
    kolada_retired       VARCHAR,
    sensitive            BOOLEAN NOT NULL DEFAULT false
);

CREATE TABLE indicator_budgets (
    indicator_id         VARCHAR NOT NULL,
    year                 INTEGER NOT NULL,
    volume_per_month     DOUBLE,
    price_per_day        DOUBLE,
    PRIMARY KEY (indicator_id, year)
);

CREATE TABLE units (
    id                   VARCHAR PRIMARY KEY,
    whole_administration BOOLEAN NOT NULL DEFAULT false
);

-- One row per name/avdelning a unit has had; valid_to is the day before the next row starts.
CREATE TABLE unit_history (
    unit_id              VARCHAR NOT NULL,
    name                 VARCHAR NOT NULL,
    avdelning            VARCHAR,
    valid_from           DATE NOT NULL,
    valid_to             DATE,
    PRIMARY KEY (unit_id, valid_from)
);

CREATE TABLE plan_years (
    year                 INTEGER PRIMARY KEY,
    title                VARCHAR NOT NULL,
    source               VARCHAR NOT NULL
);

CREATE TABLE goal_areas (          -- målområden
    plan_year            INTEGER NOT NULL,
    id                   VARCHAR NOT NULL,
    name                 VARCHAR NOT NULL,
    municipal_goal       VARCHAR,
    sort                 INTEGER NOT NULL,
    PRIMARY KEY (plan_year, id)
);

CREATE TABLE goals (               -- nämndmål
    plan_year            INTEGER NOT NULL,
    id                   VARCHAR NOT NULL,
    goal_area_id         VARCHAR NOT NULL,
    name                 VARCHAR NOT NULL,
    sort                 INTEGER NOT NULL,
    PRIMARY KEY (plan_year, id)
);

CREATE TABLE plan_indicators (     -- indicator membership and target per plan year
    plan_year            INTEGER NOT NULL,
    goal_id              VARCHAR NOT NULL,
    indicator_id         VARCHAR NOT NULL,
    target_text          VARCHAR NOT NULL,
    target_rule          JSON NOT NULL,
    note                 VARCHAR,
    sort                 INTEGER NOT NULL,
    PRIMARY KEY (plan_year, goal_id, indicator_id)
);

-- Values. period is a canonical key: 2025-03 (month), 2025-T1/2025-T2 (cumulative tertial),
-- 2025 (year). source: publicerad (from a published report), exempeldata (generated demo
-- values), uppladdning (an analyst's upload), kolada.
CREATE TABLE observations (
    indicator_id         VARCHAR NOT NULL,
    unit_id              VARCHAR NOT NULL,
    period               VARCHAR NOT NULL,
    period_kind          VARCHAR NOT NULL,  -- månad, tertial, år
    period_end           DATE NOT NULL,
    value                DOUBLE,
    text_value           VARCHAR,
    source               VARCHAR NOT NULL,
    source_ref           VARCHAR,
    upload_id            BIGINT,
    updated_at           TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (indicator_id, unit_id, period)
);

CREATE SEQUENCE comment_ids START 1;
CREATE TABLE comments (
    id                   BIGINT PRIMARY KEY DEFAULT nextval('comment_ids'),
    indicator_id         VARCHAR NOT NULL,
    unit_id              VARCHAR,
    period               VARCHAR NOT NULL,
    author               VARCHAR NOT NULL,
    written_on           DATE NOT NULL,
    text                 VARCHAR NOT NULL,
    source               VARCHAR NOT NULL DEFAULT 'dashboard',
    created_at           TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- Published assessments kept as the reports gave them (per unit and per month).
CREATE TABLE published_assessments (
    plan_year            INTEGER NOT NULL,
    goal_area_id         VARCHAR NOT NULL,
    unit_id              VARCHAR NOT NULL,    -- the whole administration for the monthly grid
    period               VARCHAR NOT NULL,
    colour               VARCHAR NOT NULL,    -- Grön, Gul, Röd
    source_ref           VARCHAR NOT NULL,
    PRIMARY KEY (plan_year, goal_area_id, unit_id, period)
);

CREATE SEQUENCE upload_ids START 1;
CREATE TABLE uploads (
    id                   BIGINT PRIMARY KEY DEFAULT nextval('upload_ids'),
    user_name            VARCHAR NOT NULL,
    uploaded_at          TIMESTAMP NOT NULL DEFAULT current_timestamp,
    file_name            VARCHAR NOT NULL,
    sha256               VARCHAR NOT NULL,
    inserted             INTEGER NOT NULL DEFAULT 0,
    updated              INTEGER NOT NULL DEFAULT 0,
    unchanged            INTEGER NOT NULL DEFAULT 0,
    status               VARCHAR NOT NULL DEFAULT 'inläst'   -- inläst, ångrad
);
