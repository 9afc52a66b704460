-- stats.sql (PostgreSQL) - the statistics queries whose date arithmetic differs by dialect
-- (src/stats/counters.c); the rest is in sql/common/queries/stats.sql.

-- name: stats_recount_build_month
-- the report-month counters from the recounted days: report month of a local day number =
-- year * 12 + month - 1, plus one from the 15th on (Decree 09 periods end on the 14th)
INSERT INTO stats_month_recount (rm, unit_id, procedure_id, submitted, recv_online, recv_direct, recv_post, recv_digitised, recv_reused, recv_fo_eligible, recv_fo_online, res_early, res_on_time, res_late, res_seconds, res_supplemented, stopped, withdrawn, refused, delivered, delivered_electronic, rated, rating_sum, rated_satisfied, rated_dislike, supplement_req, apologies, recv_population, d_active_in, d_active_over, d_paused_in, d_paused_over)
SELECT rm, unit_id, procedure_id, SUM(submitted), SUM(recv_online), SUM(recv_direct), SUM(recv_post), SUM(recv_digitised), SUM(recv_reused), SUM(recv_fo_eligible), SUM(recv_fo_online), SUM(res_early), SUM(res_on_time), SUM(res_late), SUM(res_seconds), SUM(res_supplemented), SUM(stopped), SUM(withdrawn), SUM(refused), SUM(delivered), SUM(delivered_electronic), SUM(rated), SUM(rating_sum), SUM(rated_satisfied), SUM(rated_dislike), SUM(supplement_req), SUM(apologies), SUM(recv_population), SUM(d_active_in), SUM(d_active_over), SUM(d_paused_in), SUM(d_paused_over)
FROM (
    SELECT CAST(EXTRACT(YEAR FROM DATE '1970-01-01' + CAST(day AS INTEGER)) AS BIGINT) * 12
        + CAST(EXTRACT(MONTH FROM DATE '1970-01-01' + CAST(day AS INTEGER)) AS BIGINT) - 1
        + CASE WHEN EXTRACT(DAY FROM DATE '1970-01-01' + CAST(day AS INTEGER)) >= 15 THEN 1 ELSE 0 END AS rm,
        unit_id, procedure_id, submitted, recv_online, recv_direct, recv_post, recv_digitised, recv_reused, recv_fo_eligible, recv_fo_online, res_early, res_on_time, res_late, res_seconds, res_supplemented, stopped, withdrawn, refused, delivered, delivered_electronic, rated, rating_sum, rated_satisfied, rated_dislike, supplement_req, apologies, recv_population, d_active_in, d_active_over, d_paused_in, d_paused_over
    FROM stats_day_recount
) x
GROUP BY rm, unit_id, procedure_id

-- name: stats_recount_tune
-- the recount's sort / hash memory, for its transaction only
SET LOCAL work_mem = '256MB'

-- name: stats_recount_untune
-- nothing to put back: SET LOCAL ends with the transaction
SELECT 1
