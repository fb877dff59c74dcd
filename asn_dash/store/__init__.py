"""The DuckDB store: connections, migrations and transactions (store), catalogue sync and seed data (seed), read queries (queries)."""
