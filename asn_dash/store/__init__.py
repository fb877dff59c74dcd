"""The DuckDB store: connections and migrations (store), a ready seeded store (setup, seed), read queries."""
