-- stats.sql (PostgreSQL) - the statistics queries that differ by dialect (the recount's memory)
-- (src/stats/counters.c); the rest is in sql/common/queries/stats.sql.

-- name: stats_recount_tune
-- the recount's sort / hash memory, for its transaction only
SET LOCAL work_mem = '256MB'

-- name: stats_recount_snapshot
-- Before any other statement of the recount's transaction. One snapshot for all its
-- statements: the events it counts and the counters it compares them with are then of the
-- same moment, whatever dossier transactions commit meanwhile (under READ COMMITTED each
-- statement saw later commits, and --check reported differences that were not there). The
-- lock makes a second recount wait: both would fill the same stats_*_recount tables.
SET TRANSACTION ISOLATION LEVEL REPEATABLE READ

-- name: stats_recount_lock
LOCK TABLE stats_day_recount, stats_month_recount, stats_year_recount, stats_stock_recount
  IN EXCLUSIVE MODE

-- name: stats_recount_lock_counters
-- A recount that replaces the counters: the dossier transactions that would bump them wait
-- until it commits (EXCLUSIVE lets reads of the counters go on). Taken before the snapshot,
-- so the transactions that hold a counter row when it is asked for commit first and are
-- counted; those that come after wait, then add their change to the recounted rows.
LOCK TABLE stats_day, stats_month, stats_year, stats_stock IN EXCLUSIVE MODE

-- name: stats_recount_untune
-- nothing to put back: SET LOCAL ends with the transaction
SELECT 1

-- The counters' bumps (src/stats/counters.c), in every dossier transaction. One row per key
-- and connection slot (tinhso.slot, db.h): a row locked by a transaction stays locked until
-- its commit is flushed, so a single row per key would make the transactions that count the
-- same unit and procedure commit one after the other, one fsync each. Readers sum the slots
-- (every reader of these tables groups by its key, or adds the rows up in C).

-- name: stats_day_bump
-- $1 day, $2 competent unit, $3 procedure, $4.. the 28 columns of stats_day in table order
INSERT INTO stats_day (slot, day, unit_id, procedure_id, submitted, recv_online, recv_direct, recv_post, recv_digitised, recv_reused, recv_fo_eligible, recv_fo_online, res_early, res_on_time, res_late, res_seconds, res_supplemented, stopped, withdrawn, refused, delivered, delivered_electronic, rated, rating_sum, rated_satisfied, rated_dislike, supplement_req, apologies, recv_population, d_active_in, d_active_over, d_paused_in, d_paused_over)
VALUES (CAST(current_setting('tinhso.slot') AS INTEGER), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32)
ON CONFLICT (day, unit_id, procedure_id, slot) DO UPDATE SET
    -- include: stats_day_add

-- name: stats_month_bump
-- $1 report month, $2 competent unit, $3 procedure, $4.. the 28 columns in table order
INSERT INTO stats_month (slot, rm, unit_id, procedure_id, submitted, recv_online, recv_direct, recv_post, recv_digitised, recv_reused, recv_fo_eligible, recv_fo_online, res_early, res_on_time, res_late, res_seconds, res_supplemented, stopped, withdrawn, refused, delivered, delivered_electronic, rated, rating_sum, rated_satisfied, rated_dislike, supplement_req, apologies, recv_population, d_active_in, d_active_over, d_paused_in, d_paused_over)
VALUES (CAST(current_setting('tinhso.slot') AS INTEGER), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32)
ON CONFLICT (rm, unit_id, procedure_id, slot) DO UPDATE SET
    -- include: stats_month_add

-- name: stats_year_bump
-- $1 report year, $2 competent unit, $3 procedure, $4.. the 28 columns in table order
INSERT INTO stats_year (slot, ry, unit_id, procedure_id, submitted, recv_online, recv_direct, recv_post, recv_digitised, recv_reused, recv_fo_eligible, recv_fo_online, res_early, res_on_time, res_late, res_seconds, res_supplemented, stopped, withdrawn, refused, delivered, delivered_electronic, rated, rating_sum, rated_satisfied, rated_dislike, supplement_req, apologies, recv_population, d_active_in, d_active_over, d_paused_in, d_paused_over)
VALUES (CAST(current_setting('tinhso.slot') AS INTEGER), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32)
ON CONFLICT (ry, unit_id, procedure_id, slot) DO UPDATE SET
    -- include: stats_year_add

-- name: stats_stock_bump
-- $1 competent unit, $2 procedure, $3.. the 4 stock changes
INSERT INTO stats_stock (slot, unit_id, procedure_id, d_active_in, d_active_over, d_paused_in, d_paused_over)
VALUES (CAST(current_setting('tinhso.slot') AS INTEGER), $1, $2, $3, $4, $5, $6)
ON CONFLICT (unit_id, procedure_id, slot) DO UPDATE SET
    -- include: stats_stock_add
