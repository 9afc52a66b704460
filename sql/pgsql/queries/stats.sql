-- stats.sql (PostgreSQL) - the statistics queries that differ by dialect (the recount's memory)
-- (src/stats/counters.c); the rest is in sql/common/queries/stats.sql.

-- name: stats_recount_tune
-- the recount's sort / hash memory, for its transaction only
SET LOCAL work_mem = '256MB'

-- name: stats_recount_untune
-- nothing to put back: SET LOCAL ends with the transaction
SELECT 1
