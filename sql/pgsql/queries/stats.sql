-- stats.sql (PostgreSQL) - the statistics queries that differ by dialect (the recount's memory)
-- (src/stats/counters.c); the rest is in sql/common/queries/stats.sql.

-- name: stats_recount_tune
-- the recount's sort / hash memory, for its transaction only
SET LOCAL work_mem = '256MB'

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
    submitted = stats_day.submitted + excluded.submitted,
    recv_online = stats_day.recv_online + excluded.recv_online,
    recv_direct = stats_day.recv_direct + excluded.recv_direct,
    recv_post = stats_day.recv_post + excluded.recv_post,
    recv_digitised = stats_day.recv_digitised + excluded.recv_digitised,
    recv_reused = stats_day.recv_reused + excluded.recv_reused,
    recv_fo_eligible = stats_day.recv_fo_eligible + excluded.recv_fo_eligible,
    recv_fo_online = stats_day.recv_fo_online + excluded.recv_fo_online,
    res_early = stats_day.res_early + excluded.res_early,
    res_on_time = stats_day.res_on_time + excluded.res_on_time,
    res_late = stats_day.res_late + excluded.res_late,
    res_seconds = stats_day.res_seconds + excluded.res_seconds,
    res_supplemented = stats_day.res_supplemented + excluded.res_supplemented,
    stopped = stats_day.stopped + excluded.stopped,
    withdrawn = stats_day.withdrawn + excluded.withdrawn,
    refused = stats_day.refused + excluded.refused,
    delivered = stats_day.delivered + excluded.delivered,
    delivered_electronic = stats_day.delivered_electronic + excluded.delivered_electronic,
    rated = stats_day.rated + excluded.rated,
    rating_sum = stats_day.rating_sum + excluded.rating_sum,
    rated_satisfied = stats_day.rated_satisfied + excluded.rated_satisfied,
    rated_dislike = stats_day.rated_dislike + excluded.rated_dislike,
    supplement_req = stats_day.supplement_req + excluded.supplement_req,
    apologies = stats_day.apologies + excluded.apologies,
    recv_population = stats_day.recv_population + excluded.recv_population,
    d_active_in = stats_day.d_active_in + excluded.d_active_in,
    d_active_over = stats_day.d_active_over + excluded.d_active_over,
    d_paused_in = stats_day.d_paused_in + excluded.d_paused_in,
    d_paused_over = stats_day.d_paused_over + excluded.d_paused_over

-- name: stats_month_bump
-- $1 report month, $2 competent unit, $3 procedure, $4.. the 28 columns in table order
INSERT INTO stats_month (slot, rm, unit_id, procedure_id, submitted, recv_online, recv_direct, recv_post, recv_digitised, recv_reused, recv_fo_eligible, recv_fo_online, res_early, res_on_time, res_late, res_seconds, res_supplemented, stopped, withdrawn, refused, delivered, delivered_electronic, rated, rating_sum, rated_satisfied, rated_dislike, supplement_req, apologies, recv_population, d_active_in, d_active_over, d_paused_in, d_paused_over)
VALUES (CAST(current_setting('tinhso.slot') AS INTEGER), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32)
ON CONFLICT (rm, unit_id, procedure_id, slot) DO UPDATE SET
    submitted = stats_month.submitted + excluded.submitted,
    recv_online = stats_month.recv_online + excluded.recv_online,
    recv_direct = stats_month.recv_direct + excluded.recv_direct,
    recv_post = stats_month.recv_post + excluded.recv_post,
    recv_digitised = stats_month.recv_digitised + excluded.recv_digitised,
    recv_reused = stats_month.recv_reused + excluded.recv_reused,
    recv_fo_eligible = stats_month.recv_fo_eligible + excluded.recv_fo_eligible,
    recv_fo_online = stats_month.recv_fo_online + excluded.recv_fo_online,
    res_early = stats_month.res_early + excluded.res_early,
    res_on_time = stats_month.res_on_time + excluded.res_on_time,
    res_late = stats_month.res_late + excluded.res_late,
    res_seconds = stats_month.res_seconds + excluded.res_seconds,
    res_supplemented = stats_month.res_supplemented + excluded.res_supplemented,
    stopped = stats_month.stopped + excluded.stopped,
    withdrawn = stats_month.withdrawn + excluded.withdrawn,
    refused = stats_month.refused + excluded.refused,
    delivered = stats_month.delivered + excluded.delivered,
    delivered_electronic = stats_month.delivered_electronic + excluded.delivered_electronic,
    rated = stats_month.rated + excluded.rated,
    rating_sum = stats_month.rating_sum + excluded.rating_sum,
    rated_satisfied = stats_month.rated_satisfied + excluded.rated_satisfied,
    rated_dislike = stats_month.rated_dislike + excluded.rated_dislike,
    supplement_req = stats_month.supplement_req + excluded.supplement_req,
    apologies = stats_month.apologies + excluded.apologies,
    recv_population = stats_month.recv_population + excluded.recv_population,
    d_active_in = stats_month.d_active_in + excluded.d_active_in,
    d_active_over = stats_month.d_active_over + excluded.d_active_over,
    d_paused_in = stats_month.d_paused_in + excluded.d_paused_in,
    d_paused_over = stats_month.d_paused_over + excluded.d_paused_over

-- name: stats_year_bump
-- $1 report year, $2 competent unit, $3 procedure, $4.. the 28 columns in table order
INSERT INTO stats_year (slot, ry, unit_id, procedure_id, submitted, recv_online, recv_direct, recv_post, recv_digitised, recv_reused, recv_fo_eligible, recv_fo_online, res_early, res_on_time, res_late, res_seconds, res_supplemented, stopped, withdrawn, refused, delivered, delivered_electronic, rated, rating_sum, rated_satisfied, rated_dislike, supplement_req, apologies, recv_population, d_active_in, d_active_over, d_paused_in, d_paused_over)
VALUES (CAST(current_setting('tinhso.slot') AS INTEGER), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32)
ON CONFLICT (ry, unit_id, procedure_id, slot) DO UPDATE SET
    submitted = stats_year.submitted + excluded.submitted,
    recv_online = stats_year.recv_online + excluded.recv_online,
    recv_direct = stats_year.recv_direct + excluded.recv_direct,
    recv_post = stats_year.recv_post + excluded.recv_post,
    recv_digitised = stats_year.recv_digitised + excluded.recv_digitised,
    recv_reused = stats_year.recv_reused + excluded.recv_reused,
    recv_fo_eligible = stats_year.recv_fo_eligible + excluded.recv_fo_eligible,
    recv_fo_online = stats_year.recv_fo_online + excluded.recv_fo_online,
    res_early = stats_year.res_early + excluded.res_early,
    res_on_time = stats_year.res_on_time + excluded.res_on_time,
    res_late = stats_year.res_late + excluded.res_late,
    res_seconds = stats_year.res_seconds + excluded.res_seconds,
    res_supplemented = stats_year.res_supplemented + excluded.res_supplemented,
    stopped = stats_year.stopped + excluded.stopped,
    withdrawn = stats_year.withdrawn + excluded.withdrawn,
    refused = stats_year.refused + excluded.refused,
    delivered = stats_year.delivered + excluded.delivered,
    delivered_electronic = stats_year.delivered_electronic + excluded.delivered_electronic,
    rated = stats_year.rated + excluded.rated,
    rating_sum = stats_year.rating_sum + excluded.rating_sum,
    rated_satisfied = stats_year.rated_satisfied + excluded.rated_satisfied,
    rated_dislike = stats_year.rated_dislike + excluded.rated_dislike,
    supplement_req = stats_year.supplement_req + excluded.supplement_req,
    apologies = stats_year.apologies + excluded.apologies,
    recv_population = stats_year.recv_population + excluded.recv_population,
    d_active_in = stats_year.d_active_in + excluded.d_active_in,
    d_active_over = stats_year.d_active_over + excluded.d_active_over,
    d_paused_in = stats_year.d_paused_in + excluded.d_paused_in,
    d_paused_over = stats_year.d_paused_over + excluded.d_paused_over

-- name: stats_stock_bump
-- $1 competent unit, $2 procedure, $3.. the 4 stock changes
INSERT INTO stats_stock (slot, unit_id, procedure_id, d_active_in, d_active_over, d_paused_in, d_paused_over)
VALUES (CAST(current_setting('tinhso.slot') AS INTEGER), $1, $2, $3, $4, $5, $6)
ON CONFLICT (unit_id, procedure_id, slot) DO UPDATE SET
    d_active_in = stats_stock.d_active_in + excluded.d_active_in,
    d_active_over = stats_stock.d_active_over + excluded.d_active_over,
    d_paused_in = stats_stock.d_paused_in + excluded.d_paused_in,
    d_paused_over = stats_stock.d_paused_over + excluded.d_paused_over
