-- Stored values get integer keys and a value kind.
--
-- * indicator_keys / unit_keys: a stable integer per indicator and unit id (never reused; the
--   catalogue sync adds new ids). Integer keys make a large upload's keyed insert several times
--   cheaper than three text columns.
-- * period_code: 202503 for 2025-03, 202541/202542 for 2025-T1/T2, 202500 for the year 2025.
--   A CHECK keeps malformed keys (such as '1-01') out of the store for good.
-- * kind: 0 utfall (the outcome of the period), 1 prognos (helårsprognos), 2 budget.
--
-- observation_values is the table; the view `observations` keeps the text keys every read
-- query uses and shows only utfall, so a prognos or budget can never be read as an outcome.
-- `observations_all` shows every kind with its name. Values of an old store whose period key
-- cannot be read are kept, untouched, in quarantined_observations (never silently dropped).

CREATE MACRO period_key(code) AS
    CASE WHEN code % 100 = 0 THEN CAST(code // 100 AS VARCHAR)
         WHEN code % 100 > 40 THEN printf('%d-T%d', code // 100, code % 100 - 40)
         ELSE printf('%d-%02d', code // 100, code % 100) END;

CREATE MACRO period_code(key) AS
    CASE WHEN regexp_full_match(key, '\d{4}') THEN CAST(key AS INTEGER) * 100
         WHEN regexp_full_match(key, '\d{4}-T[12]') THEN CAST(key[1:4] AS INTEGER) * 100 + 40 + CAST(key[7:7] AS INTEGER)
         WHEN regexp_full_match(key, '\d{4}-(0[1-9]|1[0-2])') THEN CAST(key[1:4] AS INTEGER) * 100 + CAST(key[6:7] AS INTEGER)
    END;

CREATE MACRO period_kind_of(code) AS
    CASE WHEN code % 100 = 0 THEN 'år' WHEN code % 100 > 40 THEN 'tertial' ELSE 'månad' END;

CREATE MACRO period_end_of(code) AS
    CASE WHEN code % 100 = 0 THEN make_date(code // 100, 12, 31)
         WHEN code % 100 > 40 THEN last_day(make_date(code // 100, 4 * (code % 100 - 40), 1))
         ELSE last_day(make_date(code // 100, code % 100, 1)) END;

CREATE TABLE value_kinds (
    kind                 UTINYINT PRIMARY KEY,
    name                 VARCHAR NOT NULL UNIQUE
);
INSERT INTO value_kinds VALUES (0, 'utfall'), (1, 'prognos'), (2, 'budget');

CREATE SEQUENCE indicator_key_ids START 1;
CREATE TABLE indicator_keys (
    key                  INTEGER PRIMARY KEY DEFAULT nextval('indicator_key_ids'),
    id                   VARCHAR NOT NULL UNIQUE
);
CREATE SEQUENCE unit_key_ids START 1;
CREATE TABLE unit_keys (
    key                  INTEGER PRIMARY KEY DEFAULT nextval('unit_key_ids'),
    id                   VARCHAR NOT NULL UNIQUE
);
INSERT INTO indicator_keys (id)
    SELECT id FROM (SELECT id FROM indicators UNION SELECT indicator_id FROM observations
                    UNION SELECT indicator_id FROM observation_history) ORDER BY id;
INSERT INTO unit_keys (id)
    SELECT id FROM (SELECT id FROM units UNION SELECT unit_id FROM observations
                    UNION SELECT unit_id FROM observation_history) ORDER BY id;

CREATE TABLE observation_values (
    indicator_key        INTEGER NOT NULL,
    unit_key             INTEGER NOT NULL,
    period_code          INTEGER NOT NULL,
    kind                 UTINYINT NOT NULL DEFAULT 0,
    period_end           DATE NOT NULL,
    value                DOUBLE,
    text_value           VARCHAR,
    source               VARCHAR NOT NULL,
    source_ref           VARCHAR,
    upload_id            BIGINT,
    updated_at           TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (indicator_key, unit_key, period_code, kind),
    CHECK (period_code // 100 BETWEEN 1900 AND 2200),
    CHECK (period_code % 100 BETWEEN 0 AND 12 OR period_code % 100 IN (41, 42)),
    CHECK (kind <= 2)
);

CREATE TABLE quarantined_observations AS
    SELECT *, 'perioden kan inte tolkas' AS reason FROM observations
    WHERE period_code(period) IS NULL OR period_code(period) // 100 NOT BETWEEN 1900 AND 2200;

INSERT INTO observation_values
    SELECT i.key, u.key, period_code(o.period), 0, o.period_end, o.value, o.text_value, o.source, o.source_ref,
           o.upload_id, o.updated_at
    FROM observations o
    JOIN indicator_keys i ON i.id = o.indicator_id
    JOIN unit_keys u ON u.id = o.unit_id
    WHERE period_code(o.period) // 100 BETWEEN 1900 AND 2200;

CREATE TABLE upload_changes (
    upload_id            BIGINT NOT NULL,
    indicator_key        INTEGER NOT NULL,
    unit_key             INTEGER NOT NULL,
    period_code          INTEGER NOT NULL,
    kind                 UTINYINT NOT NULL,
    existed              BOOLEAN NOT NULL,      -- false: the upload created the row
    old_value            DOUBLE,
    old_text_value       VARCHAR,
    old_source           VARCHAR,
    old_source_ref       VARCHAR,
    old_upload_id        BIGINT,
    old_updated_at       TIMESTAMP
    -- no primary key: an upload touches each value once, and an index would double its cost
);
INSERT INTO upload_changes
    SELECT h.upload_id, i.key, u.key, period_code(h.period), 0, h.existed, h.old_value, h.old_text_value,
           h.old_source, h.old_source_ref, h.old_upload_id, h.old_updated_at
    FROM observation_history h
    JOIN indicator_keys i ON i.id = h.indicator_id
    JOIN unit_keys u ON u.id = h.unit_id
    WHERE period_code(h.period) IS NOT NULL;

DROP TABLE observation_history;
DROP TABLE observations;

CREATE VIEW observations_all AS
    SELECT i.id AS indicator_id, u.id AS unit_id, period_key(o.period_code) AS period,
           period_kind_of(o.period_code) AS period_kind, o.period_end, k.name AS value_kind, o.value, o.text_value,
           o.source, o.source_ref, o.upload_id, o.updated_at, o.indicator_key, o.unit_key, o.period_code, o.kind
    FROM observation_values o
    JOIN indicator_keys i ON i.key = o.indicator_key
    JOIN unit_keys u ON u.key = o.unit_key
    JOIN value_kinds k ON k.kind = o.kind;

CREATE VIEW observations AS
    SELECT i.id AS indicator_id, u.id AS unit_id, period_key(o.period_code) AS period,
           period_kind_of(o.period_code) AS period_kind, o.period_end, o.value, o.text_value, o.source, o.source_ref,
           o.upload_id, o.updated_at, o.indicator_key, o.unit_key, o.period_code
    FROM observation_values o
    JOIN indicator_keys i ON i.key = o.indicator_key
    JOIN unit_keys u ON u.key = o.unit_key
    WHERE o.kind = 0;
