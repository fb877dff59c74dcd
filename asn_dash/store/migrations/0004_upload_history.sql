-- Upload history: the value every upload replaced, so an upload can be undone exactly.

CREATE TABLE observation_history (
    upload_id            BIGINT NOT NULL,
    indicator_id         VARCHAR NOT NULL,
    unit_id              VARCHAR NOT NULL,
    period               VARCHAR NOT NULL,
    existed              BOOLEAN NOT NULL,      -- false: the upload created the row
    old_value            DOUBLE,
    old_text_value       VARCHAR,
    old_source           VARCHAR,
    old_source_ref       VARCHAR,
    old_upload_id        BIGINT,
    old_updated_at       TIMESTAMP
    -- no primary key: one row per value an upload touched is guaranteed by the upload itself,
    -- and an index here would double the cost of a large upload
);

ALTER TABLE comments ADD COLUMN upload_id BIGINT;
ALTER TABLE uploads ADD COLUMN warnings INTEGER DEFAULT 0;
ALTER TABLE uploads ADD COLUMN layout VARCHAR;
ALTER TABLE uploads ADD COLUMN undone_at TIMESTAMP;
ALTER TABLE uploads ADD COLUMN undone_by VARCHAR;
ALTER TABLE indicators ADD COLUMN allow_negative BOOLEAN DEFAULT false;
