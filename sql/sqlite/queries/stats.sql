-- stats.sql (SQLite) - the statistics queries that differ by dialect (the recount's memory)
-- (src/stats/counters.c); the rest is in sql/common/queries/stats.sql.

-- name: stats_recount_tune
-- the recount's page cache (256 MiB; also the in-memory sort budget of its comparison)
PRAGMA cache_size = -262144

-- name: stats_recount_untune
-- back to SQLite's default page cache for this connection
PRAGMA cache_size = -2000
