-- stats.sql - named queries of statistics (src/stats/). Both SQLite 3.40 and PostgreSQL 15.
-- Days are LOCAL day numbers: (unix seconds + 25200) / 86400, days since 1970-01-01 in
-- Vietnam (UTC+7); all values are BIGINT so integer division floors for positive times.
-- docs/statistics.md describes every column.

-- name: stats_day_recount_clear
DELETE FROM stats_day_recount

-- name: stats_day_clear
DELETE FROM stats_day

-- name: stats_month_recount_clear
DELETE FROM stats_month_recount

-- name: stats_month_clear
DELETE FROM stats_month

-- name: stats_year_recount_clear
DELETE FROM stats_year_recount

-- name: stats_year_clear
DELETE FROM stats_year

-- name: stats_stock_recount_clear
DELETE FROM stats_stock_recount

-- name: stats_stock_clear
DELETE FROM stats_stock

-- name: stats_day_from_recount
INSERT INTO stats_day SELECT * FROM stats_day_recount WHERE (submitted <> 0 OR recv_online <> 0 OR recv_direct <> 0 OR recv_post <> 0 OR recv_digitised <> 0 OR recv_reused <> 0 OR recv_fo_eligible <> 0 OR recv_fo_online <> 0 OR res_early <> 0 OR res_on_time <> 0 OR res_late <> 0 OR res_seconds <> 0 OR res_supplemented <> 0 OR stopped <> 0 OR withdrawn <> 0 OR refused <> 0 OR delivered <> 0 OR delivered_electronic <> 0 OR rated <> 0 OR rating_sum <> 0 OR rated_satisfied <> 0 OR rated_dislike <> 0 OR supplement_req <> 0 OR apologies <> 0 OR recv_population <> 0 OR d_active_in <> 0 OR d_active_over <> 0 OR d_paused_in <> 0 OR d_paused_over <> 0)

-- name: stats_month_from_recount
INSERT INTO stats_month SELECT * FROM stats_month_recount WHERE (submitted <> 0 OR recv_online <> 0 OR recv_direct <> 0 OR recv_post <> 0 OR recv_digitised <> 0 OR recv_reused <> 0 OR recv_fo_eligible <> 0 OR recv_fo_online <> 0 OR res_early <> 0 OR res_on_time <> 0 OR res_late <> 0 OR res_seconds <> 0 OR res_supplemented <> 0 OR stopped <> 0 OR withdrawn <> 0 OR refused <> 0 OR delivered <> 0 OR delivered_electronic <> 0 OR rated <> 0 OR rating_sum <> 0 OR rated_satisfied <> 0 OR rated_dislike <> 0 OR supplement_req <> 0 OR apologies <> 0 OR recv_population <> 0 OR d_active_in <> 0 OR d_active_over <> 0 OR d_paused_in <> 0 OR d_paused_over <> 0)

-- name: stats_year_from_recount
INSERT INTO stats_year SELECT * FROM stats_year_recount WHERE (submitted <> 0 OR recv_online <> 0 OR recv_direct <> 0 OR recv_post <> 0 OR recv_digitised <> 0 OR recv_reused <> 0 OR recv_fo_eligible <> 0 OR recv_fo_online <> 0 OR res_early <> 0 OR res_on_time <> 0 OR res_late <> 0 OR res_seconds <> 0 OR res_supplemented <> 0 OR stopped <> 0 OR withdrawn <> 0 OR refused <> 0 OR delivered <> 0 OR delivered_electronic <> 0 OR rated <> 0 OR rating_sum <> 0 OR rated_satisfied <> 0 OR rated_dislike <> 0 OR supplement_req <> 0 OR apologies <> 0 OR recv_population <> 0 OR d_active_in <> 0 OR d_active_over <> 0 OR d_paused_in <> 0 OR d_paused_over <> 0)

-- name: stats_stock_from_recount
INSERT INTO stats_stock SELECT * FROM stats_stock_recount WHERE (d_active_in <> 0 OR d_active_over <> 0 OR d_paused_in <> 0 OR d_paused_over <> 0)

-- name: stats_recount_rows
SELECT COUNT(*) AS n FROM stats_day_recount WHERE (submitted <> 0 OR recv_online <> 0 OR recv_direct <> 0 OR recv_post <> 0 OR recv_digitised <> 0 OR recv_reused <> 0 OR recv_fo_eligible <> 0 OR recv_fo_online <> 0 OR res_early <> 0 OR res_on_time <> 0 OR res_late <> 0 OR res_seconds <> 0 OR res_supplemented <> 0 OR stopped <> 0 OR withdrawn <> 0 OR refused <> 0 OR delivered <> 0 OR delivered_electronic <> 0 OR rated <> 0 OR rating_sum <> 0 OR rated_satisfied <> 0 OR rated_dislike <> 0 OR supplement_req <> 0 OR apologies <> 0 OR recv_population <> 0 OR d_active_in <> 0 OR d_active_over <> 0 OR d_paused_in <> 0 OR d_paused_over <> 0)

-- name: stats_recount_bounds
-- the first and last moment the recount reads (index minima / maxima; NULL when empty)
SELECT (SELECT MIN(at) FROM dossier_event) AS e_lo, (SELECT MAX(at) FROM dossier_event) AS e_hi,
       (SELECT MIN(start_at) FROM stats_segment) AS s_lo, (SELECT MAX(start_at) FROM stats_segment) AS s_hi,
       (SELECT MAX(id) FROM dossier_event) AS n_events

-- name: stats_recount_events
-- the counted events of a window, integers only: at, kind (1 submit/intake, 2 accept,
-- 3 finish, 4 stop, 5 withdraw, 6 refuse, 7 deliver, 8 rate, 9 request_supplement,
-- 10 apologize), dossier. What else decides them is the dossier's final state (outcome,
-- channel, delivery, rating and the documents' flags never change after the event that
-- counts them, or move their counts when they do), read once per dossier below.
SELECT e.at,
    CASE e.action WHEN 'submit' THEN 1 WHEN 'accept' THEN 2 WHEN 'finish' THEN 3
        WHEN 'deliver' THEN 7 WHEN 'rate' THEN 8 WHEN 'intake' THEN 1 WHEN 'request_supplement' THEN 9
        WHEN 'refuse' THEN 6 WHEN 'stop' THEN 4 WHEN 'withdraw' THEN 5 WHEN 'apologize' THEN 10 ELSE 0 END AS kind,
    e.dossier_id
FROM dossier_event e
WHERE e.at >= $1 AND e.at < $2
    AND e.action IN ('submit', 'intake', 'accept', 'finish', 'stop', 'withdraw', 'refuse', 'deliver', 'rate', 'request_supplement', 'apologize')

-- name: stats_recount_dossiers
-- the dossiers with ids in [$1, $2] (a range scan in key order), integers only: id, unit,
-- procedure, channel, on_time (NULL = 1), due_at (0 none), accepted (0/1), accepted_at,
-- supplement_count, electronic delivery (0/1), rating (0 none), procedure version, docs and
-- population (0 here: read by the two range scans below)
SELECT id, competent_unit_id, procedure_id, channel, COALESCE(on_time, 1) AS on_time,
    COALESCE(due_at, 0) AS due_at, CASE WHEN accepted_at IS NULL THEN 0 ELSE 1 END AS accepted,
    COALESCE(accepted_at, 0) AS accepted_at, supplement_count,
    CASE WHEN delivery = 'electronic' THEN 1 ELSE 0 END AS electronic, COALESCE(rating, 0) AS rating,
    procedure_version_id, 0 AS docs, 0 AS population
FROM dossier WHERE id >= $1 AND id <= $2

-- name: stats_recount_docs
-- the documents' flags of the dossiers with ids in [$1, $2]: dossier, docs (1 a digitised
-- component, + 2 a reused one)
SELECT dossier_id, MAX(CASE WHEN digitised <> 0 THEN 1 ELSE 0 END) + MAX(CASE WHEN reused <> 0 THEN 2 ELSE 0 END) AS docs
FROM dossier_document WHERE dossier_id >= $1 AND dossier_id <= $2
GROUP BY dossier_id

-- name: stats_recount_population
-- the dossiers with ids in [$1, $2] whose applicant data came from the population database
SELECT dossier_id FROM dossier_population_use WHERE dossier_id >= $1 AND dossier_id <= $2

-- name: stats_recount_dossier
-- one dossier: the columns of stats_recount_dossiers, docs and population included
SELECT id, competent_unit_id, procedure_id, channel, COALESCE(on_time, 1) AS on_time,
    COALESCE(due_at, 0) AS due_at, CASE WHEN accepted_at IS NULL THEN 0 ELSE 1 END AS accepted,
    COALESCE(accepted_at, 0) AS accepted_at, supplement_count,
    CASE WHEN delivery = 'electronic' THEN 1 ELSE 0 END AS electronic, COALESCE(rating, 0) AS rating,
    procedure_version_id,
    (SELECT COALESCE(MAX(CASE WHEN dd.digitised <> 0 THEN 1 ELSE 0 END) + MAX(CASE WHEN dd.reused <> 0 THEN 2 ELSE 0 END), 0) FROM dossier_document dd WHERE dd.dossier_id = dossier.id) AS docs,
    CASE WHEN EXISTS (SELECT 1 FROM dossier_population_use pu WHERE pu.dossier_id = dossier.id) THEN 1 ELSE 0 END AS population
FROM dossier WHERE id = $1

-- name: stats_recount_fully_online
-- the procedure versions that are fully online (their receptions count as eligible)
SELECT id FROM procedure_version WHERE online_level = 2 ORDER BY id

-- name: stats_recount_stretches
-- the stock stretches starting in a window: start, end (0 = still open), due (0 none),
-- paused, overdue at start, unit, procedure
SELECT s.start_at, COALESCE(s.end_at, 0) AS end_at, COALESCE(s.due_at, 0) AS due_at, s.paused,
    s.overdue_at_start, s.unit_id, s.procedure_id
FROM stats_segment s
WHERE s.start_at >= $1 AND s.start_at < $2

-- name: stats_day_recount_add
-- $1 day, $2 unit, $3 procedure, $4.. the counter columns: adds one recounted day row
INSERT INTO stats_day_recount (day, unit_id, procedure_id, submitted, recv_online, recv_direct, recv_post, recv_digitised, recv_reused, recv_fo_eligible, recv_fo_online, res_early, res_on_time, res_late, res_seconds, res_supplemented, stopped, withdrawn, refused, delivered, delivered_electronic, rated, rating_sum, rated_satisfied, rated_dislike, supplement_req, apologies, recv_population, d_active_in, d_active_over, d_paused_in, d_paused_over)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32)
ON CONFLICT (day, unit_id, procedure_id) DO UPDATE SET
    submitted = stats_day_recount.submitted + excluded.submitted,
    recv_online = stats_day_recount.recv_online + excluded.recv_online,
    recv_direct = stats_day_recount.recv_direct + excluded.recv_direct,
    recv_post = stats_day_recount.recv_post + excluded.recv_post,
    recv_digitised = stats_day_recount.recv_digitised + excluded.recv_digitised,
    recv_reused = stats_day_recount.recv_reused + excluded.recv_reused,
    recv_fo_eligible = stats_day_recount.recv_fo_eligible + excluded.recv_fo_eligible,
    recv_fo_online = stats_day_recount.recv_fo_online + excluded.recv_fo_online,
    res_early = stats_day_recount.res_early + excluded.res_early,
    res_on_time = stats_day_recount.res_on_time + excluded.res_on_time,
    res_late = stats_day_recount.res_late + excluded.res_late,
    res_seconds = stats_day_recount.res_seconds + excluded.res_seconds,
    res_supplemented = stats_day_recount.res_supplemented + excluded.res_supplemented,
    stopped = stats_day_recount.stopped + excluded.stopped,
    withdrawn = stats_day_recount.withdrawn + excluded.withdrawn,
    refused = stats_day_recount.refused + excluded.refused,
    delivered = stats_day_recount.delivered + excluded.delivered,
    delivered_electronic = stats_day_recount.delivered_electronic + excluded.delivered_electronic,
    rated = stats_day_recount.rated + excluded.rated,
    rating_sum = stats_day_recount.rating_sum + excluded.rating_sum,
    rated_satisfied = stats_day_recount.rated_satisfied + excluded.rated_satisfied,
    rated_dislike = stats_day_recount.rated_dislike + excluded.rated_dislike,
    supplement_req = stats_day_recount.supplement_req + excluded.supplement_req,
    apologies = stats_day_recount.apologies + excluded.apologies,
    recv_population = stats_day_recount.recv_population + excluded.recv_population,
    d_active_in = stats_day_recount.d_active_in + excluded.d_active_in,
    d_active_over = stats_day_recount.d_active_over + excluded.d_active_over,
    d_paused_in = stats_day_recount.d_paused_in + excluded.d_paused_in,
    d_paused_over = stats_day_recount.d_paused_over + excluded.d_paused_over

-- name: stats_month_recount_put
-- $1 report month, $2 unit, $3 procedure, $4.. the counter columns (each key once)
INSERT INTO stats_month_recount (rm, unit_id, procedure_id, submitted, recv_online, recv_direct, recv_post, recv_digitised, recv_reused, recv_fo_eligible, recv_fo_online, res_early, res_on_time, res_late, res_seconds, res_supplemented, stopped, withdrawn, refused, delivered, delivered_electronic, rated, rating_sum, rated_satisfied, rated_dislike, supplement_req, apologies, recv_population, d_active_in, d_active_over, d_paused_in, d_paused_over)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32)

-- name: stats_year_recount_put
-- $1 report year, $2 unit, $3 procedure, $4.. the counter columns (each key once)
INSERT INTO stats_year_recount (ry, unit_id, procedure_id, submitted, recv_online, recv_direct, recv_post, recv_digitised, recv_reused, recv_fo_eligible, recv_fo_online, res_early, res_on_time, res_late, res_seconds, res_supplemented, stopped, withdrawn, refused, delivered, delivered_electronic, rated, rating_sum, rated_satisfied, rated_dislike, supplement_req, apologies, recv_population, d_active_in, d_active_over, d_paused_in, d_paused_over)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32)

-- name: stats_stock_recount_put
-- $1 unit, $2 procedure, $3.. the four stock columns (each key once)
INSERT INTO stats_stock_recount (unit_id, procedure_id, d_active_in, d_active_over, d_paused_in, d_paused_over)
VALUES ($1, $2, $3, $4, $5, $6)

-- name: stats_day_recount_diff
-- keys whose non-zero rows differ between the live table (summed over its slots, see
-- stats_day_bump) and the recount
SELECT COUNT(*) AS n FROM (
    SELECT day, unit_id, procedure_id FROM (
        SELECT day, unit_id, procedure_id, submitted, recv_online, recv_direct, recv_post, recv_digitised, recv_reused, recv_fo_eligible, recv_fo_online, res_early, res_on_time, res_late, res_seconds, res_supplemented, stopped, withdrawn, refused, delivered, delivered_electronic, rated, rating_sum, rated_satisfied, rated_dislike, supplement_req, apologies, recv_population, d_active_in, d_active_over, d_paused_in, d_paused_over FROM (SELECT day, unit_id, procedure_id, CAST(SUM(submitted) AS BIGINT) AS submitted, CAST(SUM(recv_online) AS BIGINT) AS recv_online, CAST(SUM(recv_direct) AS BIGINT) AS recv_direct, CAST(SUM(recv_post) AS BIGINT) AS recv_post, CAST(SUM(recv_digitised) AS BIGINT) AS recv_digitised, CAST(SUM(recv_reused) AS BIGINT) AS recv_reused, CAST(SUM(recv_fo_eligible) AS BIGINT) AS recv_fo_eligible, CAST(SUM(recv_fo_online) AS BIGINT) AS recv_fo_online, CAST(SUM(res_early) AS BIGINT) AS res_early, CAST(SUM(res_on_time) AS BIGINT) AS res_on_time, CAST(SUM(res_late) AS BIGINT) AS res_late, CAST(SUM(res_seconds) AS BIGINT) AS res_seconds, CAST(SUM(res_supplemented) AS BIGINT) AS res_supplemented, CAST(SUM(stopped) AS BIGINT) AS stopped, CAST(SUM(withdrawn) AS BIGINT) AS withdrawn, CAST(SUM(refused) AS BIGINT) AS refused, CAST(SUM(delivered) AS BIGINT) AS delivered, CAST(SUM(delivered_electronic) AS BIGINT) AS delivered_electronic, CAST(SUM(rated) AS BIGINT) AS rated, CAST(SUM(rating_sum) AS BIGINT) AS rating_sum, CAST(SUM(rated_satisfied) AS BIGINT) AS rated_satisfied, CAST(SUM(rated_dislike) AS BIGINT) AS rated_dislike, CAST(SUM(supplement_req) AS BIGINT) AS supplement_req, CAST(SUM(apologies) AS BIGINT) AS apologies, CAST(SUM(recv_population) AS BIGINT) AS recv_population, CAST(SUM(d_active_in) AS BIGINT) AS d_active_in, CAST(SUM(d_active_over) AS BIGINT) AS d_active_over, CAST(SUM(d_paused_in) AS BIGINT) AS d_paused_in, CAST(SUM(d_paused_over) AS BIGINT) AS d_paused_over FROM stats_day GROUP BY day, unit_id, procedure_id) l WHERE (submitted <> 0 OR recv_online <> 0 OR recv_direct <> 0 OR recv_post <> 0 OR recv_digitised <> 0 OR recv_reused <> 0 OR recv_fo_eligible <> 0 OR recv_fo_online <> 0 OR res_early <> 0 OR res_on_time <> 0 OR res_late <> 0 OR res_seconds <> 0 OR res_supplemented <> 0 OR stopped <> 0 OR withdrawn <> 0 OR refused <> 0 OR delivered <> 0 OR delivered_electronic <> 0 OR rated <> 0 OR rating_sum <> 0 OR rated_satisfied <> 0 OR rated_dislike <> 0 OR supplement_req <> 0 OR apologies <> 0 OR recv_population <> 0 OR d_active_in <> 0 OR d_active_over <> 0 OR d_paused_in <> 0 OR d_paused_over <> 0)
        EXCEPT
        SELECT day, unit_id, procedure_id, submitted, recv_online, recv_direct, recv_post, recv_digitised, recv_reused, recv_fo_eligible, recv_fo_online, res_early, res_on_time, res_late, res_seconds, res_supplemented, stopped, withdrawn, refused, delivered, delivered_electronic, rated, rating_sum, rated_satisfied, rated_dislike, supplement_req, apologies, recv_population, d_active_in, d_active_over, d_paused_in, d_paused_over FROM stats_day_recount WHERE (submitted <> 0 OR recv_online <> 0 OR recv_direct <> 0 OR recv_post <> 0 OR recv_digitised <> 0 OR recv_reused <> 0 OR recv_fo_eligible <> 0 OR recv_fo_online <> 0 OR res_early <> 0 OR res_on_time <> 0 OR res_late <> 0 OR res_seconds <> 0 OR res_supplemented <> 0 OR stopped <> 0 OR withdrawn <> 0 OR refused <> 0 OR delivered <> 0 OR delivered_electronic <> 0 OR rated <> 0 OR rating_sum <> 0 OR rated_satisfied <> 0 OR rated_dislike <> 0 OR supplement_req <> 0 OR apologies <> 0 OR recv_population <> 0 OR d_active_in <> 0 OR d_active_over <> 0 OR d_paused_in <> 0 OR d_paused_over <> 0)
    ) a
    UNION
    SELECT day, unit_id, procedure_id FROM (
        SELECT day, unit_id, procedure_id, submitted, recv_online, recv_direct, recv_post, recv_digitised, recv_reused, recv_fo_eligible, recv_fo_online, res_early, res_on_time, res_late, res_seconds, res_supplemented, stopped, withdrawn, refused, delivered, delivered_electronic, rated, rating_sum, rated_satisfied, rated_dislike, supplement_req, apologies, recv_population, d_active_in, d_active_over, d_paused_in, d_paused_over FROM stats_day_recount WHERE (submitted <> 0 OR recv_online <> 0 OR recv_direct <> 0 OR recv_post <> 0 OR recv_digitised <> 0 OR recv_reused <> 0 OR recv_fo_eligible <> 0 OR recv_fo_online <> 0 OR res_early <> 0 OR res_on_time <> 0 OR res_late <> 0 OR res_seconds <> 0 OR res_supplemented <> 0 OR stopped <> 0 OR withdrawn <> 0 OR refused <> 0 OR delivered <> 0 OR delivered_electronic <> 0 OR rated <> 0 OR rating_sum <> 0 OR rated_satisfied <> 0 OR rated_dislike <> 0 OR supplement_req <> 0 OR apologies <> 0 OR recv_population <> 0 OR d_active_in <> 0 OR d_active_over <> 0 OR d_paused_in <> 0 OR d_paused_over <> 0)
        EXCEPT
        SELECT day, unit_id, procedure_id, submitted, recv_online, recv_direct, recv_post, recv_digitised, recv_reused, recv_fo_eligible, recv_fo_online, res_early, res_on_time, res_late, res_seconds, res_supplemented, stopped, withdrawn, refused, delivered, delivered_electronic, rated, rating_sum, rated_satisfied, rated_dislike, supplement_req, apologies, recv_population, d_active_in, d_active_over, d_paused_in, d_paused_over FROM (SELECT day, unit_id, procedure_id, CAST(SUM(submitted) AS BIGINT) AS submitted, CAST(SUM(recv_online) AS BIGINT) AS recv_online, CAST(SUM(recv_direct) AS BIGINT) AS recv_direct, CAST(SUM(recv_post) AS BIGINT) AS recv_post, CAST(SUM(recv_digitised) AS BIGINT) AS recv_digitised, CAST(SUM(recv_reused) AS BIGINT) AS recv_reused, CAST(SUM(recv_fo_eligible) AS BIGINT) AS recv_fo_eligible, CAST(SUM(recv_fo_online) AS BIGINT) AS recv_fo_online, CAST(SUM(res_early) AS BIGINT) AS res_early, CAST(SUM(res_on_time) AS BIGINT) AS res_on_time, CAST(SUM(res_late) AS BIGINT) AS res_late, CAST(SUM(res_seconds) AS BIGINT) AS res_seconds, CAST(SUM(res_supplemented) AS BIGINT) AS res_supplemented, CAST(SUM(stopped) AS BIGINT) AS stopped, CAST(SUM(withdrawn) AS BIGINT) AS withdrawn, CAST(SUM(refused) AS BIGINT) AS refused, CAST(SUM(delivered) AS BIGINT) AS delivered, CAST(SUM(delivered_electronic) AS BIGINT) AS delivered_electronic, CAST(SUM(rated) AS BIGINT) AS rated, CAST(SUM(rating_sum) AS BIGINT) AS rating_sum, CAST(SUM(rated_satisfied) AS BIGINT) AS rated_satisfied, CAST(SUM(rated_dislike) AS BIGINT) AS rated_dislike, CAST(SUM(supplement_req) AS BIGINT) AS supplement_req, CAST(SUM(apologies) AS BIGINT) AS apologies, CAST(SUM(recv_population) AS BIGINT) AS recv_population, CAST(SUM(d_active_in) AS BIGINT) AS d_active_in, CAST(SUM(d_active_over) AS BIGINT) AS d_active_over, CAST(SUM(d_paused_in) AS BIGINT) AS d_paused_in, CAST(SUM(d_paused_over) AS BIGINT) AS d_paused_over FROM stats_day GROUP BY day, unit_id, procedure_id) l WHERE (submitted <> 0 OR recv_online <> 0 OR recv_direct <> 0 OR recv_post <> 0 OR recv_digitised <> 0 OR recv_reused <> 0 OR recv_fo_eligible <> 0 OR recv_fo_online <> 0 OR res_early <> 0 OR res_on_time <> 0 OR res_late <> 0 OR res_seconds <> 0 OR res_supplemented <> 0 OR stopped <> 0 OR withdrawn <> 0 OR refused <> 0 OR delivered <> 0 OR delivered_electronic <> 0 OR rated <> 0 OR rating_sum <> 0 OR rated_satisfied <> 0 OR rated_dislike <> 0 OR supplement_req <> 0 OR apologies <> 0 OR recv_population <> 0 OR d_active_in <> 0 OR d_active_over <> 0 OR d_paused_in <> 0 OR d_paused_over <> 0)
    ) b
) z

-- name: stats_month_recount_diff
-- keys whose non-zero rows differ between the live table (summed over its slots, see
-- stats_month_bump) and the recount
SELECT COUNT(*) AS n FROM (
    SELECT rm, unit_id, procedure_id FROM (
        SELECT rm, unit_id, procedure_id, submitted, recv_online, recv_direct, recv_post, recv_digitised, recv_reused, recv_fo_eligible, recv_fo_online, res_early, res_on_time, res_late, res_seconds, res_supplemented, stopped, withdrawn, refused, delivered, delivered_electronic, rated, rating_sum, rated_satisfied, rated_dislike, supplement_req, apologies, recv_population, d_active_in, d_active_over, d_paused_in, d_paused_over FROM (SELECT rm, unit_id, procedure_id, CAST(SUM(submitted) AS BIGINT) AS submitted, CAST(SUM(recv_online) AS BIGINT) AS recv_online, CAST(SUM(recv_direct) AS BIGINT) AS recv_direct, CAST(SUM(recv_post) AS BIGINT) AS recv_post, CAST(SUM(recv_digitised) AS BIGINT) AS recv_digitised, CAST(SUM(recv_reused) AS BIGINT) AS recv_reused, CAST(SUM(recv_fo_eligible) AS BIGINT) AS recv_fo_eligible, CAST(SUM(recv_fo_online) AS BIGINT) AS recv_fo_online, CAST(SUM(res_early) AS BIGINT) AS res_early, CAST(SUM(res_on_time) AS BIGINT) AS res_on_time, CAST(SUM(res_late) AS BIGINT) AS res_late, CAST(SUM(res_seconds) AS BIGINT) AS res_seconds, CAST(SUM(res_supplemented) AS BIGINT) AS res_supplemented, CAST(SUM(stopped) AS BIGINT) AS stopped, CAST(SUM(withdrawn) AS BIGINT) AS withdrawn, CAST(SUM(refused) AS BIGINT) AS refused, CAST(SUM(delivered) AS BIGINT) AS delivered, CAST(SUM(delivered_electronic) AS BIGINT) AS delivered_electronic, CAST(SUM(rated) AS BIGINT) AS rated, CAST(SUM(rating_sum) AS BIGINT) AS rating_sum, CAST(SUM(rated_satisfied) AS BIGINT) AS rated_satisfied, CAST(SUM(rated_dislike) AS BIGINT) AS rated_dislike, CAST(SUM(supplement_req) AS BIGINT) AS supplement_req, CAST(SUM(apologies) AS BIGINT) AS apologies, CAST(SUM(recv_population) AS BIGINT) AS recv_population, CAST(SUM(d_active_in) AS BIGINT) AS d_active_in, CAST(SUM(d_active_over) AS BIGINT) AS d_active_over, CAST(SUM(d_paused_in) AS BIGINT) AS d_paused_in, CAST(SUM(d_paused_over) AS BIGINT) AS d_paused_over FROM stats_month GROUP BY rm, unit_id, procedure_id) l WHERE (submitted <> 0 OR recv_online <> 0 OR recv_direct <> 0 OR recv_post <> 0 OR recv_digitised <> 0 OR recv_reused <> 0 OR recv_fo_eligible <> 0 OR recv_fo_online <> 0 OR res_early <> 0 OR res_on_time <> 0 OR res_late <> 0 OR res_seconds <> 0 OR res_supplemented <> 0 OR stopped <> 0 OR withdrawn <> 0 OR refused <> 0 OR delivered <> 0 OR delivered_electronic <> 0 OR rated <> 0 OR rating_sum <> 0 OR rated_satisfied <> 0 OR rated_dislike <> 0 OR supplement_req <> 0 OR apologies <> 0 OR recv_population <> 0 OR d_active_in <> 0 OR d_active_over <> 0 OR d_paused_in <> 0 OR d_paused_over <> 0)
        EXCEPT
        SELECT rm, unit_id, procedure_id, submitted, recv_online, recv_direct, recv_post, recv_digitised, recv_reused, recv_fo_eligible, recv_fo_online, res_early, res_on_time, res_late, res_seconds, res_supplemented, stopped, withdrawn, refused, delivered, delivered_electronic, rated, rating_sum, rated_satisfied, rated_dislike, supplement_req, apologies, recv_population, d_active_in, d_active_over, d_paused_in, d_paused_over FROM stats_month_recount WHERE (submitted <> 0 OR recv_online <> 0 OR recv_direct <> 0 OR recv_post <> 0 OR recv_digitised <> 0 OR recv_reused <> 0 OR recv_fo_eligible <> 0 OR recv_fo_online <> 0 OR res_early <> 0 OR res_on_time <> 0 OR res_late <> 0 OR res_seconds <> 0 OR res_supplemented <> 0 OR stopped <> 0 OR withdrawn <> 0 OR refused <> 0 OR delivered <> 0 OR delivered_electronic <> 0 OR rated <> 0 OR rating_sum <> 0 OR rated_satisfied <> 0 OR rated_dislike <> 0 OR supplement_req <> 0 OR apologies <> 0 OR recv_population <> 0 OR d_active_in <> 0 OR d_active_over <> 0 OR d_paused_in <> 0 OR d_paused_over <> 0)
    ) a
    UNION
    SELECT rm, unit_id, procedure_id FROM (
        SELECT rm, unit_id, procedure_id, submitted, recv_online, recv_direct, recv_post, recv_digitised, recv_reused, recv_fo_eligible, recv_fo_online, res_early, res_on_time, res_late, res_seconds, res_supplemented, stopped, withdrawn, refused, delivered, delivered_electronic, rated, rating_sum, rated_satisfied, rated_dislike, supplement_req, apologies, recv_population, d_active_in, d_active_over, d_paused_in, d_paused_over FROM stats_month_recount WHERE (submitted <> 0 OR recv_online <> 0 OR recv_direct <> 0 OR recv_post <> 0 OR recv_digitised <> 0 OR recv_reused <> 0 OR recv_fo_eligible <> 0 OR recv_fo_online <> 0 OR res_early <> 0 OR res_on_time <> 0 OR res_late <> 0 OR res_seconds <> 0 OR res_supplemented <> 0 OR stopped <> 0 OR withdrawn <> 0 OR refused <> 0 OR delivered <> 0 OR delivered_electronic <> 0 OR rated <> 0 OR rating_sum <> 0 OR rated_satisfied <> 0 OR rated_dislike <> 0 OR supplement_req <> 0 OR apologies <> 0 OR recv_population <> 0 OR d_active_in <> 0 OR d_active_over <> 0 OR d_paused_in <> 0 OR d_paused_over <> 0)
        EXCEPT
        SELECT rm, unit_id, procedure_id, submitted, recv_online, recv_direct, recv_post, recv_digitised, recv_reused, recv_fo_eligible, recv_fo_online, res_early, res_on_time, res_late, res_seconds, res_supplemented, stopped, withdrawn, refused, delivered, delivered_electronic, rated, rating_sum, rated_satisfied, rated_dislike, supplement_req, apologies, recv_population, d_active_in, d_active_over, d_paused_in, d_paused_over FROM (SELECT rm, unit_id, procedure_id, CAST(SUM(submitted) AS BIGINT) AS submitted, CAST(SUM(recv_online) AS BIGINT) AS recv_online, CAST(SUM(recv_direct) AS BIGINT) AS recv_direct, CAST(SUM(recv_post) AS BIGINT) AS recv_post, CAST(SUM(recv_digitised) AS BIGINT) AS recv_digitised, CAST(SUM(recv_reused) AS BIGINT) AS recv_reused, CAST(SUM(recv_fo_eligible) AS BIGINT) AS recv_fo_eligible, CAST(SUM(recv_fo_online) AS BIGINT) AS recv_fo_online, CAST(SUM(res_early) AS BIGINT) AS res_early, CAST(SUM(res_on_time) AS BIGINT) AS res_on_time, CAST(SUM(res_late) AS BIGINT) AS res_late, CAST(SUM(res_seconds) AS BIGINT) AS res_seconds, CAST(SUM(res_supplemented) AS BIGINT) AS res_supplemented, CAST(SUM(stopped) AS BIGINT) AS stopped, CAST(SUM(withdrawn) AS BIGINT) AS withdrawn, CAST(SUM(refused) AS BIGINT) AS refused, CAST(SUM(delivered) AS BIGINT) AS delivered, CAST(SUM(delivered_electronic) AS BIGINT) AS delivered_electronic, CAST(SUM(rated) AS BIGINT) AS rated, CAST(SUM(rating_sum) AS BIGINT) AS rating_sum, CAST(SUM(rated_satisfied) AS BIGINT) AS rated_satisfied, CAST(SUM(rated_dislike) AS BIGINT) AS rated_dislike, CAST(SUM(supplement_req) AS BIGINT) AS supplement_req, CAST(SUM(apologies) AS BIGINT) AS apologies, CAST(SUM(recv_population) AS BIGINT) AS recv_population, CAST(SUM(d_active_in) AS BIGINT) AS d_active_in, CAST(SUM(d_active_over) AS BIGINT) AS d_active_over, CAST(SUM(d_paused_in) AS BIGINT) AS d_paused_in, CAST(SUM(d_paused_over) AS BIGINT) AS d_paused_over FROM stats_month GROUP BY rm, unit_id, procedure_id) l WHERE (submitted <> 0 OR recv_online <> 0 OR recv_direct <> 0 OR recv_post <> 0 OR recv_digitised <> 0 OR recv_reused <> 0 OR recv_fo_eligible <> 0 OR recv_fo_online <> 0 OR res_early <> 0 OR res_on_time <> 0 OR res_late <> 0 OR res_seconds <> 0 OR res_supplemented <> 0 OR stopped <> 0 OR withdrawn <> 0 OR refused <> 0 OR delivered <> 0 OR delivered_electronic <> 0 OR rated <> 0 OR rating_sum <> 0 OR rated_satisfied <> 0 OR rated_dislike <> 0 OR supplement_req <> 0 OR apologies <> 0 OR recv_population <> 0 OR d_active_in <> 0 OR d_active_over <> 0 OR d_paused_in <> 0 OR d_paused_over <> 0)
    ) b
) z

-- name: stats_year_recount_diff
-- keys whose non-zero rows differ between the live table (summed over its slots, see
-- stats_year_bump) and the recount
SELECT COUNT(*) AS n FROM (
    SELECT ry, unit_id, procedure_id FROM (
        SELECT ry, unit_id, procedure_id, submitted, recv_online, recv_direct, recv_post, recv_digitised, recv_reused, recv_fo_eligible, recv_fo_online, res_early, res_on_time, res_late, res_seconds, res_supplemented, stopped, withdrawn, refused, delivered, delivered_electronic, rated, rating_sum, rated_satisfied, rated_dislike, supplement_req, apologies, recv_population, d_active_in, d_active_over, d_paused_in, d_paused_over FROM (SELECT ry, unit_id, procedure_id, CAST(SUM(submitted) AS BIGINT) AS submitted, CAST(SUM(recv_online) AS BIGINT) AS recv_online, CAST(SUM(recv_direct) AS BIGINT) AS recv_direct, CAST(SUM(recv_post) AS BIGINT) AS recv_post, CAST(SUM(recv_digitised) AS BIGINT) AS recv_digitised, CAST(SUM(recv_reused) AS BIGINT) AS recv_reused, CAST(SUM(recv_fo_eligible) AS BIGINT) AS recv_fo_eligible, CAST(SUM(recv_fo_online) AS BIGINT) AS recv_fo_online, CAST(SUM(res_early) AS BIGINT) AS res_early, CAST(SUM(res_on_time) AS BIGINT) AS res_on_time, CAST(SUM(res_late) AS BIGINT) AS res_late, CAST(SUM(res_seconds) AS BIGINT) AS res_seconds, CAST(SUM(res_supplemented) AS BIGINT) AS res_supplemented, CAST(SUM(stopped) AS BIGINT) AS stopped, CAST(SUM(withdrawn) AS BIGINT) AS withdrawn, CAST(SUM(refused) AS BIGINT) AS refused, CAST(SUM(delivered) AS BIGINT) AS delivered, CAST(SUM(delivered_electronic) AS BIGINT) AS delivered_electronic, CAST(SUM(rated) AS BIGINT) AS rated, CAST(SUM(rating_sum) AS BIGINT) AS rating_sum, CAST(SUM(rated_satisfied) AS BIGINT) AS rated_satisfied, CAST(SUM(rated_dislike) AS BIGINT) AS rated_dislike, CAST(SUM(supplement_req) AS BIGINT) AS supplement_req, CAST(SUM(apologies) AS BIGINT) AS apologies, CAST(SUM(recv_population) AS BIGINT) AS recv_population, CAST(SUM(d_active_in) AS BIGINT) AS d_active_in, CAST(SUM(d_active_over) AS BIGINT) AS d_active_over, CAST(SUM(d_paused_in) AS BIGINT) AS d_paused_in, CAST(SUM(d_paused_over) AS BIGINT) AS d_paused_over FROM stats_year GROUP BY ry, unit_id, procedure_id) l WHERE (submitted <> 0 OR recv_online <> 0 OR recv_direct <> 0 OR recv_post <> 0 OR recv_digitised <> 0 OR recv_reused <> 0 OR recv_fo_eligible <> 0 OR recv_fo_online <> 0 OR res_early <> 0 OR res_on_time <> 0 OR res_late <> 0 OR res_seconds <> 0 OR res_supplemented <> 0 OR stopped <> 0 OR withdrawn <> 0 OR refused <> 0 OR delivered <> 0 OR delivered_electronic <> 0 OR rated <> 0 OR rating_sum <> 0 OR rated_satisfied <> 0 OR rated_dislike <> 0 OR supplement_req <> 0 OR apologies <> 0 OR recv_population <> 0 OR d_active_in <> 0 OR d_active_over <> 0 OR d_paused_in <> 0 OR d_paused_over <> 0)
        EXCEPT
        SELECT ry, unit_id, procedure_id, submitted, recv_online, recv_direct, recv_post, recv_digitised, recv_reused, recv_fo_eligible, recv_fo_online, res_early, res_on_time, res_late, res_seconds, res_supplemented, stopped, withdrawn, refused, delivered, delivered_electronic, rated, rating_sum, rated_satisfied, rated_dislike, supplement_req, apologies, recv_population, d_active_in, d_active_over, d_paused_in, d_paused_over FROM stats_year_recount WHERE (submitted <> 0 OR recv_online <> 0 OR recv_direct <> 0 OR recv_post <> 0 OR recv_digitised <> 0 OR recv_reused <> 0 OR recv_fo_eligible <> 0 OR recv_fo_online <> 0 OR res_early <> 0 OR res_on_time <> 0 OR res_late <> 0 OR res_seconds <> 0 OR res_supplemented <> 0 OR stopped <> 0 OR withdrawn <> 0 OR refused <> 0 OR delivered <> 0 OR delivered_electronic <> 0 OR rated <> 0 OR rating_sum <> 0 OR rated_satisfied <> 0 OR rated_dislike <> 0 OR supplement_req <> 0 OR apologies <> 0 OR recv_population <> 0 OR d_active_in <> 0 OR d_active_over <> 0 OR d_paused_in <> 0 OR d_paused_over <> 0)
    ) a
    UNION
    SELECT ry, unit_id, procedure_id FROM (
        SELECT ry, unit_id, procedure_id, submitted, recv_online, recv_direct, recv_post, recv_digitised, recv_reused, recv_fo_eligible, recv_fo_online, res_early, res_on_time, res_late, res_seconds, res_supplemented, stopped, withdrawn, refused, delivered, delivered_electronic, rated, rating_sum, rated_satisfied, rated_dislike, supplement_req, apologies, recv_population, d_active_in, d_active_over, d_paused_in, d_paused_over FROM stats_year_recount WHERE (submitted <> 0 OR recv_online <> 0 OR recv_direct <> 0 OR recv_post <> 0 OR recv_digitised <> 0 OR recv_reused <> 0 OR recv_fo_eligible <> 0 OR recv_fo_online <> 0 OR res_early <> 0 OR res_on_time <> 0 OR res_late <> 0 OR res_seconds <> 0 OR res_supplemented <> 0 OR stopped <> 0 OR withdrawn <> 0 OR refused <> 0 OR delivered <> 0 OR delivered_electronic <> 0 OR rated <> 0 OR rating_sum <> 0 OR rated_satisfied <> 0 OR rated_dislike <> 0 OR supplement_req <> 0 OR apologies <> 0 OR recv_population <> 0 OR d_active_in <> 0 OR d_active_over <> 0 OR d_paused_in <> 0 OR d_paused_over <> 0)
        EXCEPT
        SELECT ry, unit_id, procedure_id, submitted, recv_online, recv_direct, recv_post, recv_digitised, recv_reused, recv_fo_eligible, recv_fo_online, res_early, res_on_time, res_late, res_seconds, res_supplemented, stopped, withdrawn, refused, delivered, delivered_electronic, rated, rating_sum, rated_satisfied, rated_dislike, supplement_req, apologies, recv_population, d_active_in, d_active_over, d_paused_in, d_paused_over FROM (SELECT ry, unit_id, procedure_id, CAST(SUM(submitted) AS BIGINT) AS submitted, CAST(SUM(recv_online) AS BIGINT) AS recv_online, CAST(SUM(recv_direct) AS BIGINT) AS recv_direct, CAST(SUM(recv_post) AS BIGINT) AS recv_post, CAST(SUM(recv_digitised) AS BIGINT) AS recv_digitised, CAST(SUM(recv_reused) AS BIGINT) AS recv_reused, CAST(SUM(recv_fo_eligible) AS BIGINT) AS recv_fo_eligible, CAST(SUM(recv_fo_online) AS BIGINT) AS recv_fo_online, CAST(SUM(res_early) AS BIGINT) AS res_early, CAST(SUM(res_on_time) AS BIGINT) AS res_on_time, CAST(SUM(res_late) AS BIGINT) AS res_late, CAST(SUM(res_seconds) AS BIGINT) AS res_seconds, CAST(SUM(res_supplemented) AS BIGINT) AS res_supplemented, CAST(SUM(stopped) AS BIGINT) AS stopped, CAST(SUM(withdrawn) AS BIGINT) AS withdrawn, CAST(SUM(refused) AS BIGINT) AS refused, CAST(SUM(delivered) AS BIGINT) AS delivered, CAST(SUM(delivered_electronic) AS BIGINT) AS delivered_electronic, CAST(SUM(rated) AS BIGINT) AS rated, CAST(SUM(rating_sum) AS BIGINT) AS rating_sum, CAST(SUM(rated_satisfied) AS BIGINT) AS rated_satisfied, CAST(SUM(rated_dislike) AS BIGINT) AS rated_dislike, CAST(SUM(supplement_req) AS BIGINT) AS supplement_req, CAST(SUM(apologies) AS BIGINT) AS apologies, CAST(SUM(recv_population) AS BIGINT) AS recv_population, CAST(SUM(d_active_in) AS BIGINT) AS d_active_in, CAST(SUM(d_active_over) AS BIGINT) AS d_active_over, CAST(SUM(d_paused_in) AS BIGINT) AS d_paused_in, CAST(SUM(d_paused_over) AS BIGINT) AS d_paused_over FROM stats_year GROUP BY ry, unit_id, procedure_id) l WHERE (submitted <> 0 OR recv_online <> 0 OR recv_direct <> 0 OR recv_post <> 0 OR recv_digitised <> 0 OR recv_reused <> 0 OR recv_fo_eligible <> 0 OR recv_fo_online <> 0 OR res_early <> 0 OR res_on_time <> 0 OR res_late <> 0 OR res_seconds <> 0 OR res_supplemented <> 0 OR stopped <> 0 OR withdrawn <> 0 OR refused <> 0 OR delivered <> 0 OR delivered_electronic <> 0 OR rated <> 0 OR rating_sum <> 0 OR rated_satisfied <> 0 OR rated_dislike <> 0 OR supplement_req <> 0 OR apologies <> 0 OR recv_population <> 0 OR d_active_in <> 0 OR d_active_over <> 0 OR d_paused_in <> 0 OR d_paused_over <> 0)
    ) b
) z

-- name: stats_stock_recount_diff
-- keys whose non-zero rows differ between the live table (summed over its slots, see
-- stats_stock_bump) and the recount
SELECT COUNT(*) AS n FROM (
    SELECT unit_id, procedure_id FROM (
        SELECT unit_id, procedure_id, d_active_in, d_active_over, d_paused_in, d_paused_over FROM (SELECT unit_id, procedure_id, CAST(SUM(d_active_in) AS BIGINT) AS d_active_in, CAST(SUM(d_active_over) AS BIGINT) AS d_active_over, CAST(SUM(d_paused_in) AS BIGINT) AS d_paused_in, CAST(SUM(d_paused_over) AS BIGINT) AS d_paused_over FROM stats_stock GROUP BY unit_id, procedure_id) l WHERE (d_active_in <> 0 OR d_active_over <> 0 OR d_paused_in <> 0 OR d_paused_over <> 0)
        EXCEPT
        SELECT unit_id, procedure_id, d_active_in, d_active_over, d_paused_in, d_paused_over FROM stats_stock_recount WHERE (d_active_in <> 0 OR d_active_over <> 0 OR d_paused_in <> 0 OR d_paused_over <> 0)
    ) a
    UNION
    SELECT unit_id, procedure_id FROM (
        SELECT unit_id, procedure_id, d_active_in, d_active_over, d_paused_in, d_paused_over FROM stats_stock_recount WHERE (d_active_in <> 0 OR d_active_over <> 0 OR d_paused_in <> 0 OR d_paused_over <> 0)
        EXCEPT
        SELECT unit_id, procedure_id, d_active_in, d_active_over, d_paused_in, d_paused_over FROM (SELECT unit_id, procedure_id, CAST(SUM(d_active_in) AS BIGINT) AS d_active_in, CAST(SUM(d_active_over) AS BIGINT) AS d_active_over, CAST(SUM(d_paused_in) AS BIGINT) AS d_paused_in, CAST(SUM(d_paused_over) AS BIGINT) AS d_paused_over FROM stats_stock GROUP BY unit_id, procedure_id) l WHERE (d_active_in <> 0 OR d_active_over <> 0 OR d_paused_in <> 0 OR d_paused_over <> 0)
    ) b
) z
-- name: stats_dossier_flags
-- $1 dossier id, $2 procedure version id: any digitised / reused component, fully online,
-- applicant data taken from the population database (dvcqg/identity.c)
SELECT CASE WHEN EXISTS (SELECT 1 FROM dossier_document WHERE dossier_id = $1 AND digitised <> 0)
            THEN 1 ELSE 0 END AS digitised,
       CASE WHEN EXISTS (SELECT 1 FROM dossier_document WHERE dossier_id = $1 AND reused <> 0)
            THEN 1 ELSE 0 END AS reused,
       CASE WHEN EXISTS (SELECT 1 FROM procedure_version WHERE id = $2 AND online_level = 2)
            THEN 1 ELSE 0 END AS fully_online,
       CASE WHEN EXISTS (SELECT 1 FROM dossier_population_use WHERE dossier_id = $1)
            THEN 1 ELSE 0 END AS population

-- name: stats_segment_open
SELECT id, paused, start_at, due_at, overdue_at_start FROM stats_segment
WHERE dossier_id = $1 AND end_at IS NULL

-- name: stats_segment_close
UPDATE stats_segment SET end_at = $2 WHERE id = $1

-- name: stats_segment_insert
-- $1 dossier, $2 unit, $3 procedure, $4 paused, $5 start, $6 due (0 none), $7 overdue at start
INSERT INTO stats_segment (dossier_id, unit_id, procedure_id, paused, start_at, due_at,
    overdue_at_start)
VALUES ($1, $2, $3, $4, $5, $6, $7)

-- name: stats_flow_range
-- $1 subtree root (0 = every root), $2..$3 local days (inclusive): the counters summed per
-- (competent unit, procedure), with the unit's kind and the procedure's field and name.
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1 OR (CAST($1 AS BIGINT) = 0 AND parent_id IS NULL)
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT t.unit_id, COALESCE(fv.procedure_id, t.procedure_id) AS procedure_id, u.kind AS unit_kind,
    COALESCE(fv.field_code, fv.field_name, '') AS field_key, fv.field_name, p.code AS procedure_code,
    p.name AS procedure_name, t.submitted, t.recv_online, t.recv_direct, t.recv_post, t.recv_digitised, t.recv_reused, t.recv_fo_eligible, t.recv_fo_online, t.res_early, t.res_on_time, t.res_late, t.res_seconds, t.res_supplemented, t.stopped, t.withdrawn, t.refused, t.delivered, t.delivered_electronic, t.rated, t.rating_sum, t.rated_satisfied, t.rated_dislike, t.supplement_req, t.apologies, t.recv_population, t.d_active_in, t.d_active_over, t.d_paused_in, t.d_paused_over
FROM (
    SELECT unit_id, procedure_id, SUM(submitted) AS submitted, SUM(recv_online) AS recv_online, SUM(recv_direct) AS recv_direct, SUM(recv_post) AS recv_post, SUM(recv_digitised) AS recv_digitised, SUM(recv_reused) AS recv_reused, SUM(recv_fo_eligible) AS recv_fo_eligible, SUM(recv_fo_online) AS recv_fo_online, SUM(res_early) AS res_early, SUM(res_on_time) AS res_on_time, SUM(res_late) AS res_late, SUM(res_seconds) AS res_seconds, SUM(res_supplemented) AS res_supplemented, SUM(stopped) AS stopped, SUM(withdrawn) AS withdrawn, SUM(refused) AS refused, SUM(delivered) AS delivered, SUM(delivered_electronic) AS delivered_electronic, SUM(rated) AS rated, SUM(rating_sum) AS rating_sum, SUM(rated_satisfied) AS rated_satisfied, SUM(rated_dislike) AS rated_dislike, SUM(supplement_req) AS supplement_req, SUM(apologies) AS apologies, SUM(recv_population) AS recv_population, SUM(d_active_in) AS d_active_in, SUM(d_active_over) AS d_active_over, SUM(d_paused_in) AS d_paused_in, SUM(d_paused_over) AS d_paused_over
    FROM stats_day
    WHERE unit_id IN (SELECT id FROM sub) AND day >= $2 AND day <= $3
    GROUP BY unit_id, procedure_id
) t
JOIN org_unit u ON u.id = t.unit_id
LEFT JOIN procedure_version fv ON fv.id = t.procedure_id
LEFT JOIN procedure p ON p.id = fv.procedure_id

-- name: stats_flow_months
-- $1 subtree root, $2..$3 report months (inclusive): as stats_flow_range, from stats_month
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1 OR (CAST($1 AS BIGINT) = 0 AND parent_id IS NULL)
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT t.unit_id, COALESCE(fv.procedure_id, t.procedure_id) AS procedure_id, u.kind AS unit_kind,
    COALESCE(fv.field_code, fv.field_name, '') AS field_key, fv.field_name, p.code AS procedure_code,
    p.name AS procedure_name, t.submitted, t.recv_online, t.recv_direct, t.recv_post, t.recv_digitised, t.recv_reused, t.recv_fo_eligible, t.recv_fo_online, t.res_early, t.res_on_time, t.res_late, t.res_seconds, t.res_supplemented, t.stopped, t.withdrawn, t.refused, t.delivered, t.delivered_electronic, t.rated, t.rating_sum, t.rated_satisfied, t.rated_dislike, t.supplement_req, t.apologies, t.recv_population, t.d_active_in, t.d_active_over, t.d_paused_in, t.d_paused_over
FROM (
    SELECT unit_id, procedure_id, SUM(submitted) AS submitted, SUM(recv_online) AS recv_online, SUM(recv_direct) AS recv_direct, SUM(recv_post) AS recv_post, SUM(recv_digitised) AS recv_digitised, SUM(recv_reused) AS recv_reused, SUM(recv_fo_eligible) AS recv_fo_eligible, SUM(recv_fo_online) AS recv_fo_online, SUM(res_early) AS res_early, SUM(res_on_time) AS res_on_time, SUM(res_late) AS res_late, SUM(res_seconds) AS res_seconds, SUM(res_supplemented) AS res_supplemented, SUM(stopped) AS stopped, SUM(withdrawn) AS withdrawn, SUM(refused) AS refused, SUM(delivered) AS delivered, SUM(delivered_electronic) AS delivered_electronic, SUM(rated) AS rated, SUM(rating_sum) AS rating_sum, SUM(rated_satisfied) AS rated_satisfied, SUM(rated_dislike) AS rated_dislike, SUM(supplement_req) AS supplement_req, SUM(apologies) AS apologies, SUM(recv_population) AS recv_population, SUM(d_active_in) AS d_active_in, SUM(d_active_over) AS d_active_over, SUM(d_paused_in) AS d_paused_in, SUM(d_paused_over) AS d_paused_over
    FROM stats_month
    WHERE unit_id IN (SELECT id FROM sub) AND rm >= $2 AND rm <= $3
    GROUP BY unit_id, procedure_id
) t
JOIN org_unit u ON u.id = t.unit_id
LEFT JOIN procedure_version fv ON fv.id = t.procedure_id
LEFT JOIN procedure p ON p.id = fv.procedure_id

-- name: stats_flow_years
-- $1 subtree root, $2..$3 report years (inclusive): as stats_flow_range, from stats_year
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1 OR (CAST($1 AS BIGINT) = 0 AND parent_id IS NULL)
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT t.unit_id, COALESCE(fv.procedure_id, t.procedure_id) AS procedure_id, u.kind AS unit_kind,
    COALESCE(fv.field_code, fv.field_name, '') AS field_key, fv.field_name, p.code AS procedure_code,
    p.name AS procedure_name, t.submitted, t.recv_online, t.recv_direct, t.recv_post, t.recv_digitised, t.recv_reused, t.recv_fo_eligible, t.recv_fo_online, t.res_early, t.res_on_time, t.res_late, t.res_seconds, t.res_supplemented, t.stopped, t.withdrawn, t.refused, t.delivered, t.delivered_electronic, t.rated, t.rating_sum, t.rated_satisfied, t.rated_dislike, t.supplement_req, t.apologies, t.recv_population, t.d_active_in, t.d_active_over, t.d_paused_in, t.d_paused_over
FROM (
    SELECT unit_id, procedure_id, SUM(submitted) AS submitted, SUM(recv_online) AS recv_online, SUM(recv_direct) AS recv_direct, SUM(recv_post) AS recv_post, SUM(recv_digitised) AS recv_digitised, SUM(recv_reused) AS recv_reused, SUM(recv_fo_eligible) AS recv_fo_eligible, SUM(recv_fo_online) AS recv_fo_online, SUM(res_early) AS res_early, SUM(res_on_time) AS res_on_time, SUM(res_late) AS res_late, SUM(res_seconds) AS res_seconds, SUM(res_supplemented) AS res_supplemented, SUM(stopped) AS stopped, SUM(withdrawn) AS withdrawn, SUM(refused) AS refused, SUM(delivered) AS delivered, SUM(delivered_electronic) AS delivered_electronic, SUM(rated) AS rated, SUM(rating_sum) AS rating_sum, SUM(rated_satisfied) AS rated_satisfied, SUM(rated_dislike) AS rated_dislike, SUM(supplement_req) AS supplement_req, SUM(apologies) AS apologies, SUM(recv_population) AS recv_population, SUM(d_active_in) AS d_active_in, SUM(d_active_over) AS d_active_over, SUM(d_paused_in) AS d_paused_in, SUM(d_paused_over) AS d_paused_over
    FROM stats_year
    WHERE unit_id IN (SELECT id FROM sub) AND ry >= $2 AND ry <= $3
    GROUP BY unit_id, procedure_id
) t
JOIN org_unit u ON u.id = t.unit_id
LEFT JOIN procedure_version fv ON fv.id = t.procedure_id
LEFT JOIN procedure p ON p.id = fv.procedure_id

-- name: stats_field_days
-- $1 subtree root, $2..$3 local days: the counters per (level, field) (report 06, index)
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1 OR (CAST($1 AS BIGINT) = 0 AND parent_id IS NULL)
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT CASE WHEN u.kind IN ('commune', 'ward', 'special_zone', 'commune_division') THEN 1 ELSE 0 END AS level, COALESCE(fv.field_code, fv.field_name, '') AS field_key,
    MIN(fv.field_name) AS field_name, SUM(t.recv_online) AS recv_online, SUM(t.recv_direct) AS recv_direct, SUM(t.recv_post) AS recv_post, SUM(t.recv_digitised) AS recv_digitised, SUM(t.recv_reused) AS recv_reused, SUM(t.recv_fo_eligible) AS recv_fo_eligible, SUM(t.recv_fo_online) AS recv_fo_online, SUM(t.res_early) AS res_early, SUM(t.res_on_time) AS res_on_time, SUM(t.res_late) AS res_late, SUM(t.res_supplemented) AS res_supplemented, SUM(t.stopped) AS stopped, SUM(t.withdrawn) AS withdrawn, SUM(t.delivered) AS delivered, SUM(t.delivered_electronic) AS delivered_electronic, SUM(t.rated) AS rated, SUM(t.rated_dislike) AS rated_dislike, SUM(t.recv_population) AS recv_population, SUM(t.d_active_in) AS d_active_in, SUM(t.d_active_over) AS d_active_over, SUM(t.d_paused_in) AS d_paused_in, SUM(t.d_paused_over) AS d_paused_over
FROM stats_day t
JOIN org_unit u ON u.id = t.unit_id
LEFT JOIN procedure_version fv ON fv.id = t.procedure_id
WHERE t.unit_id IN (SELECT id FROM sub) AND t.day >= $2 AND t.day <= $3
GROUP BY CASE WHEN u.kind IN ('commune', 'ward', 'special_zone', 'commune_division') THEN 1 ELSE 0 END, COALESCE(fv.field_code, fv.field_name, '')

-- name: stats_field_months
-- $1 subtree root, $2..$3 report months: per (level, field)
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1 OR (CAST($1 AS BIGINT) = 0 AND parent_id IS NULL)
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT CASE WHEN u.kind IN ('commune', 'ward', 'special_zone', 'commune_division') THEN 1 ELSE 0 END AS level, COALESCE(fv.field_code, fv.field_name, '') AS field_key,
    MIN(fv.field_name) AS field_name, SUM(t.recv_online) AS recv_online, SUM(t.recv_direct) AS recv_direct, SUM(t.recv_post) AS recv_post, SUM(t.recv_digitised) AS recv_digitised, SUM(t.recv_reused) AS recv_reused, SUM(t.recv_fo_eligible) AS recv_fo_eligible, SUM(t.recv_fo_online) AS recv_fo_online, SUM(t.res_early) AS res_early, SUM(t.res_on_time) AS res_on_time, SUM(t.res_late) AS res_late, SUM(t.res_supplemented) AS res_supplemented, SUM(t.stopped) AS stopped, SUM(t.withdrawn) AS withdrawn, SUM(t.delivered) AS delivered, SUM(t.delivered_electronic) AS delivered_electronic, SUM(t.rated) AS rated, SUM(t.rated_dislike) AS rated_dislike, SUM(t.recv_population) AS recv_population, SUM(t.d_active_in) AS d_active_in, SUM(t.d_active_over) AS d_active_over, SUM(t.d_paused_in) AS d_paused_in, SUM(t.d_paused_over) AS d_paused_over
FROM stats_month t
JOIN org_unit u ON u.id = t.unit_id
LEFT JOIN procedure_version fv ON fv.id = t.procedure_id
WHERE t.unit_id IN (SELECT id FROM sub) AND t.rm >= $2 AND t.rm <= $3
GROUP BY CASE WHEN u.kind IN ('commune', 'ward', 'special_zone', 'commune_division') THEN 1 ELSE 0 END, COALESCE(fv.field_code, fv.field_name, '')

-- name: stats_field_years
-- $1 subtree root, $2..$3 report years: per (level, field)
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1 OR (CAST($1 AS BIGINT) = 0 AND parent_id IS NULL)
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT CASE WHEN u.kind IN ('commune', 'ward', 'special_zone', 'commune_division') THEN 1 ELSE 0 END AS level, COALESCE(fv.field_code, fv.field_name, '') AS field_key,
    MIN(fv.field_name) AS field_name, SUM(t.recv_online) AS recv_online, SUM(t.recv_direct) AS recv_direct, SUM(t.recv_post) AS recv_post, SUM(t.recv_digitised) AS recv_digitised, SUM(t.recv_reused) AS recv_reused, SUM(t.recv_fo_eligible) AS recv_fo_eligible, SUM(t.recv_fo_online) AS recv_fo_online, SUM(t.res_early) AS res_early, SUM(t.res_on_time) AS res_on_time, SUM(t.res_late) AS res_late, SUM(t.res_supplemented) AS res_supplemented, SUM(t.stopped) AS stopped, SUM(t.withdrawn) AS withdrawn, SUM(t.delivered) AS delivered, SUM(t.delivered_electronic) AS delivered_electronic, SUM(t.rated) AS rated, SUM(t.rated_dislike) AS rated_dislike, SUM(t.recv_population) AS recv_population, SUM(t.d_active_in) AS d_active_in, SUM(t.d_active_over) AS d_active_over, SUM(t.d_paused_in) AS d_paused_in, SUM(t.d_paused_over) AS d_paused_over
FROM stats_year t
JOIN org_unit u ON u.id = t.unit_id
LEFT JOIN procedure_version fv ON fv.id = t.procedure_id
WHERE t.unit_id IN (SELECT id FROM sub) AND t.ry >= $2 AND t.ry <= $3
GROUP BY CASE WHEN u.kind IN ('commune', 'ward', 'special_zone', 'commune_division') THEN 1 ELSE 0 END, COALESCE(fv.field_code, fv.field_name, '')

-- name: stats_field_stock
-- $1 subtree root: the open stock per (level, field)
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1 OR (CAST($1 AS BIGINT) = 0 AND parent_id IS NULL)
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT CASE WHEN u.kind IN ('commune', 'ward', 'special_zone', 'commune_division') THEN 1 ELSE 0 END AS level, COALESCE(fv.field_code, fv.field_name, '') AS field_key,
    MIN(fv.field_name) AS field_name, SUM(t.d_active_in) AS d_active_in, SUM(t.d_active_over) AS d_active_over, SUM(t.d_paused_in) AS d_paused_in, SUM(t.d_paused_over) AS d_paused_over
FROM stats_stock t
JOIN org_unit u ON u.id = t.unit_id
LEFT JOIN procedure_version fv ON fv.id = t.procedure_id
WHERE t.unit_id IN (SELECT id FROM sub)
GROUP BY CASE WHEN u.kind IN ('commune', 'ward', 'special_zone', 'commune_division') THEN 1 ELSE 0 END, COALESCE(fv.field_code, fv.field_name, '')

-- name: stats_field_fix
-- $1 subtree root, $2 moment T: as stats_stock_fix, per (level, field)
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1 OR (CAST($1 AS BIGINT) = 0 AND parent_id IS NULL)
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT CASE WHEN u.kind IN ('commune', 'ward', 'special_zone', 'commune_division') THEN 1 ELSE 0 END AS level, COALESCE(fv.field_code, fv.field_name, '') AS field_key,
    MIN(fv.field_name) AS field_name, COUNT(*) AS n
FROM stats_segment t
JOIN org_unit u ON u.id = t.unit_id
LEFT JOIN procedure_version fv ON fv.id = t.procedure_id
WHERE t.end_at IS NULL AND t.unit_id IN (SELECT id FROM sub) AND t.due_at > 0 AND t.due_at < $2
  AND t.paused = 0 AND t.overdue_at_start = 0 AND t.start_at < $2
GROUP BY CASE WHEN u.kind IN ('commune', 'ward', 'special_zone', 'commune_division') THEN 1 ELSE 0 END, COALESCE(fv.field_code, fv.field_name, '')

-- name: stats_stock_now
-- $1 subtree root: the open stock per (unit, procedure) as the sum of all stock changes
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1 OR (CAST($1 AS BIGINT) = 0 AND parent_id IS NULL)
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT t.unit_id, COALESCE(fv.procedure_id, t.procedure_id) AS procedure_id, u.kind AS unit_kind,
    COALESCE(fv.field_code, fv.field_name, '') AS field_key, fv.field_name, p.code AS procedure_code,
    p.name AS procedure_name, t.d_active_in, t.d_active_over, t.d_paused_in, t.d_paused_over
FROM stats_stock t
JOIN org_unit u ON u.id = t.unit_id
LEFT JOIN procedure_version fv ON fv.id = t.procedure_id
LEFT JOIN procedure p ON p.id = fv.procedure_id
WHERE t.unit_id IN (SELECT id FROM sub)

-- name: stats_stock_fix
-- $1 subtree root, $2 moment T (unix): open active stretches that began within the deadline
-- and whose deadline passed before T; the counters record that crossing only when the
-- stretch ends, so these move from "within" to "overdue" at T.
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1 OR (CAST($1 AS BIGINT) = 0 AND parent_id IS NULL)
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT t.unit_id, COALESCE(fv.procedure_id, t.procedure_id) AS procedure_id, u.kind AS unit_kind,
    COALESCE(fv.field_code, fv.field_name, '') AS field_key, fv.field_name, t.n
FROM (
    SELECT unit_id, procedure_id, COUNT(*) AS n
    FROM stats_segment
    WHERE end_at IS NULL AND unit_id IN (SELECT id FROM sub) AND due_at > 0 AND due_at < $2
      AND paused = 0 AND overdue_at_start = 0 AND start_at < $2
    GROUP BY unit_id, procedure_id
) t
JOIN org_unit u ON u.id = t.unit_id
LEFT JOIN procedure_version fv ON fv.id = t.procedure_id

-- name: stats_overdue_now
-- $1 subtree root, $2 now: dossiers open now and past their deadline, per competent unit
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1 OR (CAST($1 AS BIGINT) = 0 AND parent_id IS NULL)
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT s.unit_id, COUNT(*) AS n
FROM stats_segment s
WHERE s.end_at IS NULL AND s.unit_id IN (SELECT id FROM sub)
  AND (s.overdue_at_start = 1 OR (s.paused = 0 AND s.due_at > 0 AND s.due_at < $2))
GROUP BY s.unit_id

-- name: stats_units
-- $1 subtree root: the units with kind and parent (the root first)
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1 OR (CAST($1 AS BIGINT) = 0 AND parent_id IS NULL)
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT u.id, u.code, u.name, u.kind, COALESCE(u.parent_id, 0) AS parent_id, MIN(s.depth) AS depth
FROM org_unit u JOIN sub s ON s.id = u.id
GROUP BY u.id, u.code, u.name, u.kind, u.parent_id
ORDER BY MIN(s.depth), u.code

-- name: stats_trend
-- $1 subtree root, $2..$3 local days: received, resolved and late per day
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1 OR (CAST($1 AS BIGINT) = 0 AND parent_id IS NULL)
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT t.day, SUM(t.recv_online + t.recv_direct + t.recv_post) AS received,
    SUM(t.recv_online) AS received_online,
    SUM(t.res_early + t.res_on_time + t.res_late) AS resolved, SUM(t.res_late) AS late,
    SUM(t.submitted) AS submitted
FROM stats_day t
WHERE t.unit_id IN (SELECT id FROM sub) AND t.day >= $2 AND t.day <= $3
GROUP BY t.day
ORDER BY t.day

-- name: stats_latest_events
-- $1 subtree root, $2 limit: the newest transitions of dossiers of the subtree (no personal data)
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1 OR (CAST($1 AS BIGINT) = 0 AND parent_id IS NULL)
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT e.id, e.at, e.action, e.from_status, e.to_status, d.code, d.procedure_name,
    u.name AS unit_name, e.result
FROM dossier_event e
JOIN dossier d ON d.id = e.dossier_id
JOIN org_unit u ON u.id = d.competent_unit_id
WHERE d.competent_unit_id IN (SELECT id FROM sub)
ORDER BY e.id DESC
LIMIT $2

-- name: stats_cursor
SELECT COALESCE(MAX(id), 0) AS id FROM dossier_event

-- name: stats_officers
-- $1 subtree root, $2..$3 moments [from, to): hand-overs (control-slip rows with a result)
-- per acting officer on dossiers received or decided in the subtree
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1 OR (CAST($1 AS BIGINT) = 0 AND parent_id IS NULL)
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT e.actor_account_id AS account_id, a.username, a.full_name, COUNT(*) AS handled,
    SUM(CASE WHEN e.result = 'early' THEN 1 ELSE 0 END) AS early,
    SUM(CASE WHEN e.result = 'on_time' THEN 1 ELSE 0 END) AS on_time,
    SUM(CASE WHEN e.result = 'late' THEN 1 ELSE 0 END) AS late
FROM dossier_event e
JOIN dossier d ON d.id = e.dossier_id
JOIN account a ON a.id = e.actor_account_id
WHERE e.at >= $2 AND e.at < $3 AND e.result IS NOT NULL
  AND (d.competent_unit_id IN (SELECT id FROM sub) OR d.receiving_unit_id IN (SELECT id FROM sub))
GROUP BY e.actor_account_id, a.username, a.full_name
ORDER BY late DESC, handled DESC, e.actor_account_id
LIMIT 500

-- name: stats_officer_late
-- $1 subtree root, $2..$3 moments [from, to), $4 account: that officer's late hand-overs
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1 OR (CAST($1 AS BIGINT) = 0 AND parent_id IS NULL)
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT d.code, d.procedure_name, e.action, COALESCE(e.step, 0) AS step, e.step_started_at,
    e.step_due_at, e.handed_at
FROM dossier_event e
JOIN dossier d ON d.id = e.dossier_id
WHERE e.at >= $2 AND e.at < $3 AND e.result = 'late' AND e.actor_account_id = $4
  AND (d.competent_unit_id IN (SELECT id FROM sub) OR d.receiving_unit_id IN (SELECT id FROM sub))
ORDER BY e.at DESC, e.id DESC
LIMIT 500

-- name: stats_index_items
-- $1 date YYYY-MM-DD: the indicators of the version in force on that day
SELECT v.code AS version_code, v.name AS version_name, i.code, i.grp, i.name, i.max_points,
    i.threshold_bp, i.formula, i.na_reason, i.commune_applicable
FROM stats_index_item i
JOIN stats_index_version v ON v.id = i.version_id
WHERE v.id = (SELECT id FROM stats_index_version WHERE valid_from <= $1
              ORDER BY valid_from DESC LIMIT 1)
ORDER BY i.ord

-- name: stats_unit_kind
SELECT id, code, name, kind FROM org_unit WHERE id = $1

-- name: stats_drill
-- $1 subtree root, $2 period start, $3 period end (unix, exclusive), $4 cell name, $5 field
-- key (NULL any), $6 level (-1 any, 0 province, 1 commune), $7 after id, $8 limit, $9 the
-- moment the stock is taken (min(period end, now)). The cells' rules are those of the
-- counters (docs/statistics.md).
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1 OR (CAST($1 AS BIGINT) = 0 AND parent_id IS NULL)
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT d.id, d.code, d.procedure_code, d.procedure_name, fv.field_name, u.name AS unit_name,
    d.competent_unit_id AS unit_id, d.status, d.channel, d.accepted_at, d.due_at, d.ended_at
FROM dossier d
JOIN org_unit u ON u.id = d.competent_unit_id
LEFT JOIN procedure_version fv ON fv.id = d.procedure_version_id
LEFT JOIN stats_segment s ON s.dossier_id = d.id AND s.start_at < $9
    AND (s.end_at IS NULL OR s.end_at >= $9)
WHERE d.competent_unit_id IN (SELECT id FROM sub) AND d.id > $7
  AND (CAST($5 AS TEXT) IS NULL OR COALESCE(fv.field_code, fv.field_name, '') = CAST($5 AS TEXT))
  AND (CAST($6 AS BIGINT) < 0
       OR (CASE WHEN u.kind IN ('commune', 'ward', 'special_zone', 'commune_division') THEN 1 ELSE 0 END) = CAST($6 AS BIGINT))
  AND (s.id IS NOT NULL OR CAST($4 AS TEXT) NOT IN ('in_progress', 'in_progress_within',
       'in_progress_overdue', 'suspended', 'suspended_within', 'suspended_overdue'))
  AND ((CAST($4 AS TEXT) = 'received' AND (d.accepted_at >= $2 AND d.accepted_at < $3 OR (d.accepted_at < $2 AND (d.ended_at IS NULL OR d.ended_at >= $2))))
    OR (CAST($4 AS TEXT) = 'received_online' AND d.accepted_at >= $2 AND d.accepted_at < $3 AND d.channel = 2)
    OR (CAST($4 AS TEXT) = 'received_direct' AND d.accepted_at >= $2 AND d.accepted_at < $3 AND d.channel IN (1, 3))
    OR (CAST($4 AS TEXT) = 'received_post' AND d.accepted_at >= $2 AND d.accepted_at < $3 AND d.channel = 3)
    OR (CAST($4 AS TEXT) = 'carried_over' AND (d.accepted_at < $2 AND (d.ended_at IS NULL OR d.ended_at >= $2)))
    OR (CAST($4 AS TEXT) = 'resolved' AND d.status IN (9, 10) AND d.ended_at >= $2 AND d.ended_at < $3)
    OR (CAST($4 AS TEXT) = 'resolved_early' AND d.status IN (9, 10) AND d.ended_at >= $2 AND d.ended_at < $3 AND COALESCE(d.on_time, 1) <> 0 AND COALESCE(d.due_at, 0) > 0 AND (d.ended_at + 25200) / 86400 < (d.due_at + 25200) / 86400)
    OR (CAST($4 AS TEXT) = 'resolved_on_time' AND d.status IN (9, 10) AND d.ended_at >= $2 AND d.ended_at < $3 AND COALESCE(d.on_time, 1) <> 0 AND NOT (COALESCE(d.due_at, 0) > 0 AND (d.ended_at + 25200) / 86400 < (d.due_at + 25200) / 86400))
    OR (CAST($4 AS TEXT) = 'resolved_late' AND d.status IN (9, 10) AND d.ended_at >= $2 AND d.ended_at < $3 AND d.on_time = 0)
    OR (CAST($4 AS TEXT) = 'in_progress' AND s.paused = 0)
    OR (CAST($4 AS TEXT) = 'in_progress_within' AND s.paused = 0 AND NOT (s.overdue_at_start = 1 OR (s.paused = 0 AND s.due_at > 0 AND s.due_at < $9)))
    OR (CAST($4 AS TEXT) = 'in_progress_overdue' AND s.paused = 0 AND (s.overdue_at_start = 1 OR (s.paused = 0 AND s.due_at > 0 AND s.due_at < $9)))
    OR (CAST($4 AS TEXT) = 'suspended' AND s.paused = 1)
    OR (CAST($4 AS TEXT) = 'suspended_within' AND s.paused = 1 AND s.overdue_at_start = 0)
    OR (CAST($4 AS TEXT) = 'suspended_overdue' AND s.paused = 1 AND s.overdue_at_start = 1)
    OR (CAST($4 AS TEXT) = 'stopped' AND d.status = 8 AND d.accepted_at IS NOT NULL AND d.ended_at >= $2 AND d.ended_at < $3)
    OR (CAST($4 AS TEXT) = 'withdrawn' AND d.status = 7 AND d.accepted_at IS NOT NULL AND d.ended_at >= $2 AND d.ended_at < $3)
    OR (CAST($4 AS TEXT) = 'idx:2.1' AND ((d.status IN (9, 10) AND d.ended_at >= $2 AND d.ended_at < $3 AND COALESCE(d.on_time, 1) <> 0) OR (s.id IS NOT NULL AND NOT (s.overdue_at_start = 1 OR (s.paused = 0 AND s.due_at > 0 AND s.due_at < $9)))))
    OR (CAST($4 AS TEXT) = 'idx:3.1' AND d.accepted_at >= $2 AND d.accepted_at < $3 AND d.channel = 2 AND EXISTS (SELECT 1 FROM procedure_version pv WHERE pv.id = d.procedure_version_id AND pv.online_level = 2))
    OR (CAST($4 AS TEXT) = 'idx:5.1' AND d.delivered_at >= $2 AND d.delivered_at < $3 AND d.delivery = 'electronic')
    OR (CAST($4 AS TEXT) = 'idx:5.2' AND d.accepted_at >= $2 AND d.accepted_at < $3 AND EXISTS (SELECT 1 FROM dossier_document dd WHERE dd.dossier_id = d.id AND dd.digitised <> 0))
    OR (CAST($4 AS TEXT) = 'idx:5.4' AND d.accepted_at >= $2 AND d.accepted_at < $3 AND EXISTS (SELECT 1 FROM dossier_document dd WHERE dd.dossier_id = d.id AND dd.reused <> 0))
    OR (CAST($4 AS TEXT) IN ('idx:5.6', 'idx:5.7') AND d.accepted_at >= $2 AND d.accepted_at < $3 AND EXISTS (SELECT 1 FROM dossier_population_use pu WHERE pu.dossier_id = d.id))
    OR (CAST($4 AS TEXT) = 'idx:6.3' AND ((d.status IN (9, 10) AND d.ended_at >= $2 AND d.ended_at < $3 AND d.on_time = 0) OR (d.rating BETWEEN 1 AND 2 AND EXISTS (SELECT 1 FROM dossier_event r WHERE r.dossier_id = d.id AND r.action = 'rate' AND r.at >= $2 AND r.at < $3)))))
ORDER BY d.id
LIMIT $8

-- name: stats_accept_times
-- $1 dossier id: when it was accepted (the events the recount counts receptions by)
SELECT at FROM dossier_event WHERE dossier_id = $1 AND action = 'accept' ORDER BY id

-- name: stats_overdue_units
-- $1 now: per competent unit that has open stock rows, the dossiers open now and past their
-- deadline (the /metrics gauges): the stock counted overdue when its stretch began
-- (stats_stock, by its key), plus the active stretches that began within the deadline and
-- crossed it before now (a range of stats_segment_open_idx (unit_id, due_at, ...)): O(units +
-- those stretches), never a scan of the dossiers or of the open stock
SELECT u.code,
    CAST(COALESCE((SELECT SUM(k.d_active_over + k.d_paused_over) FROM stats_stock k
                   WHERE k.unit_id = u.id), 0) AS BIGINT)
  + CAST((SELECT COUNT(*) FROM stats_segment s
          WHERE s.unit_id = u.id AND s.end_at IS NULL AND s.due_at > 0 AND s.due_at < $1
            AND s.paused = 0 AND s.overdue_at_start = 0) AS BIGINT) AS n
FROM org_unit u
WHERE EXISTS (SELECT 1 FROM stats_stock k WHERE k.unit_id = u.id)
ORDER BY u.code
