-- People named in stored rows: audit rows and annotations keep the user name (it never changes);
-- the display name last seen for it is kept here (asn_dash/people.py), so pages can say
-- "Anna Analytiker (anna)".

CREATE TABLE people (
    user_name            VARCHAR PRIMARY KEY,
    display_name         VARCHAR NOT NULL,
    seen_at              TIMESTAMP NOT NULL DEFAULT current_timestamp
);
