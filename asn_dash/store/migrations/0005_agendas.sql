-- Saved running orders (dagordningar) for nämnd meetings: which indicators, in which order.

CREATE TABLE agendas (
    name                 VARCHAR PRIMARY KEY,
    indicator_ids        VARCHAR[] NOT NULL,
    saved_by             VARCHAR NOT NULL,
    saved_at             TIMESTAMP NOT NULL DEFAULT current_timestamp
);
