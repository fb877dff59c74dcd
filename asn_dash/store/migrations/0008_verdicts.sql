-- Official verdicts (issue 13): one table for every official bedömning of a målområde, nämndmål
-- or indicator for a plan year and period, whoever gave it:
--
-- * origin 'rapport': printed in a published report (source_ref names document and table);
-- * origin 'analytiker': set in the dashboard by an analytiker (author = user name), e.g. the
--   förvaltning's bedömning of a 'manuell' indicator or a colour that replaces the computed one.
--
-- Rows are never deleted. The newest row for a key (plan year, level, target, unit, period)
-- supersedes the older ones; withdrawing sets withdrawn_at, and the row before it counts again.
-- unit_id is NULL for the whole administration; a unit's own colour for a målområde ("Andelen
-- enheter som når sina mål") names the unit. A verdict may be only a text (the report printed ●
-- or a sammanfattande bedömning without a colour), never neither.
--
-- The three tables this replaces are moved here row by row, keeping their meaning:
-- published_assessments → origin 'rapport', level 'målområde' (the whole administration's rows
-- get unit_id NULL); manual_statuses and assessment_overrides → origin 'analytiker', level
-- 'indikator' (a status's plan year is its period's year, as it was looked up), with their
-- authors, times and withdrawals.
--
-- plan_years.area_rule: the rule that computes a målområde's or nämndmål's suggestion from its
-- indicators (data/catalogue/plans.yaml, `area_rule`; asn_dash/rules/verdicts.py).

CREATE SEQUENCE verdict_ids START 1;
CREATE TABLE verdicts (
    id                   BIGINT PRIMARY KEY DEFAULT nextval('verdict_ids'),
    plan_year            INTEGER NOT NULL,
    level                VARCHAR NOT NULL CHECK (level IN ('målområde', 'nämndmål', 'indikator')),
    target_id            VARCHAR NOT NULL,      -- goal area, goal or indicator id in the plan
    unit_id              VARCHAR,               -- NULL: the whole administration
    period               VARCHAR NOT NULL CHECK (regexp_full_match(period, '\d{4}(-T[12]|-(0[1-9]|1[0-2])(-R12)?)?')),
    colour               VARCHAR CHECK (colour IN ('Grön', 'Gul', 'Röd')),
    text                 VARCHAR,               -- motivation or the report's text, verbatim
    origin               VARCHAR NOT NULL CHECK (origin IN ('rapport', 'analytiker')),
    source_ref           VARCHAR,               -- origin rapport: document · table
    author               VARCHAR,               -- origin analytiker: user name
    created_at           TIMESTAMP NOT NULL DEFAULT current_timestamp,
    withdrawn_at         TIMESTAMP,
    withdrawn_by         VARCHAR,
    CHECK (colour IS NOT NULL OR text IS NOT NULL),
    CHECK (origin = 'rapport' OR author IS NOT NULL)
);

INSERT INTO verdicts (plan_year, level, target_id, unit_id, period, colour, origin, source_ref)
SELECT plan_year, 'målområde', goal_area_id,
       CASE WHEN unit_id IN (SELECT id FROM units WHERE whole_administration) THEN NULL ELSE unit_id END,
       period, colour, 'rapport', source_ref
FROM published_assessments
ORDER BY plan_year, goal_area_id, unit_id, period;

INSERT INTO verdicts (plan_year, level, target_id, period, colour, text, origin, author, created_at)
SELECT CAST(period[1:4] AS INTEGER), 'indikator', indicator_id, period, colour, text, 'analytiker', author, created_at
FROM manual_statuses
ORDER BY created_at, id;

INSERT INTO verdicts (plan_year, level, target_id, period, colour, text, origin, author, created_at,
                      withdrawn_at, withdrawn_by)
SELECT plan_year, 'indikator', indicator_id, period, colour, comment, 'analytiker', author, created_at,
       withdrawn_at, withdrawn_by
FROM assessment_overrides
ORDER BY created_at, id;

DROP TABLE published_assessments;
DROP TABLE manual_statuses;
DROP SEQUENCE manual_status_ids;
DROP TABLE assessment_overrides;
DROP SEQUENCE override_ids;

ALTER TABLE plan_years ADD COLUMN area_rule VARCHAR DEFAULT 'standard';
