-- stats.sql (SQLite) - the statistics queries that differ by dialect (the recount's memory)
-- (src/stats/counters.c); the rest is in sql/common/queries/stats.sql.

-- name: stats_recount_tune
-- the recount's page cache (256 MiB; also the in-memory sort budget of its comparison)
PRAGMA cache_size = -262144

-- name: stats_recount_snapshot
-- nothing: the recount runs on the single writer, which no other transaction writes beside
SELECT 1

-- name: stats_recount_lock
-- nothing: as above
SELECT 1

-- name: stats_recount_lock_counters
-- nothing: as above
SELECT 1

-- name: stats_recount_untune
-- back to SQLite's default page cache for this connection
PRAGMA cache_size = -2000

-- The counters' bumps (src/stats/counters.c), in every dossier transaction. SQLite has one
-- writer: one row per key (slot 0, the column's default).

-- name: stats_day_bump
-- $1 day, $2 competent unit, $3 procedure, $4.. the 28 columns of stats_day in table order
INSERT INTO stats_day (day, unit_id, procedure_id, submitted, recv_online, recv_direct, recv_post, recv_digitised, recv_reused, recv_fo_eligible, recv_fo_online, res_early, res_on_time, res_late, res_seconds, res_supplemented, stopped, withdrawn, refused, delivered, delivered_electronic, rated, rating_sum, rated_satisfied, rated_dislike, supplement_req, apologies, recv_population, d_active_in, d_active_over, d_paused_in, d_paused_over)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32)
ON CONFLICT (day, unit_id, procedure_id) DO UPDATE SET
    -- include: stats_day_add

-- name: stats_month_bump
-- $1 report month, $2 competent unit, $3 procedure, $4.. the 28 columns in table order
INSERT INTO stats_month (rm, unit_id, procedure_id, submitted, recv_online, recv_direct, recv_post, recv_digitised, recv_reused, recv_fo_eligible, recv_fo_online, res_early, res_on_time, res_late, res_seconds, res_supplemented, stopped, withdrawn, refused, delivered, delivered_electronic, rated, rating_sum, rated_satisfied, rated_dislike, supplement_req, apologies, recv_population, d_active_in, d_active_over, d_paused_in, d_paused_over)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32)
ON CONFLICT (rm, unit_id, procedure_id) DO UPDATE SET
    -- include: stats_month_add

-- name: stats_year_bump
-- $1 report year, $2 competent unit, $3 procedure, $4.. the 28 columns in table order
INSERT INTO stats_year (ry, unit_id, procedure_id, submitted, recv_online, recv_direct, recv_post, recv_digitised, recv_reused, recv_fo_eligible, recv_fo_online, res_early, res_on_time, res_late, res_seconds, res_supplemented, stopped, withdrawn, refused, delivered, delivered_electronic, rated, rating_sum, rated_satisfied, rated_dislike, supplement_req, apologies, recv_population, d_active_in, d_active_over, d_paused_in, d_paused_over)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32)
ON CONFLICT (ry, unit_id, procedure_id) DO UPDATE SET
    -- include: stats_year_add

-- name: stats_stock_bump
-- $1 competent unit, $2 procedure, $3.. the 4 stock changes
INSERT INTO stats_stock (unit_id, procedure_id, d_active_in, d_active_over, d_paused_in, d_paused_over)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (unit_id, procedure_id) DO UPDATE SET
    -- include: stats_stock_add
