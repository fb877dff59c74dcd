-- Kolada: KPI metadata, municipalities, groups and yearly values (filled by `kolada` pulls).

CREATE TABLE kolada_kpis (
    id                   VARCHAR PRIMARY KEY,
    title                VARCHAR NOT NULL,
    description          VARCHAR,
    operating_area       VARCHAR,
    is_divided_by_gender BOOLEAN,
    municipality_type    VARCHAR,
    publication_date     VARCHAR,
    fetched_at           TIMESTAMP
);

CREATE TABLE kolada_municipalities (
    id                   VARCHAR PRIMARY KEY,   -- 4 digits; 0000 = Riket
    title                VARCHAR NOT NULL,
    type                 VARCHAR NOT NULL        -- K municipality, L region
);

CREATE TABLE kolada_groups (
    id                   VARCHAR PRIMARY KEY,
    title                VARCHAR NOT NULL
);

CREATE TABLE kolada_group_members (
    group_id             VARCHAR NOT NULL,
    municipality_id      VARCHAR NOT NULL,
    PRIMARY KEY (group_id, municipality_id)
);

CREATE TABLE kolada_values (
    kpi                  VARCHAR NOT NULL,
    municipality         VARCHAR NOT NULL,
    year                 INTEGER NOT NULL,
    gender               VARCHAR NOT NULL,       -- T, K, M
    value                DOUBLE,                 -- null stays null: not reported is not zero
    count                INTEGER,
    status               VARCHAR,
    fetched_at           TIMESTAMP NOT NULL,
    PRIMARY KEY (kpi, municipality, year, gender)
);
