-- Work queues of one engine (see sql/common/queries/dossier.sql for the parameters)

-- name: dossier_queue_open
-- open dossiers everywhere (overdue, due soon): the partial dossier_open_idx
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT x.* FROM dossier x
WHERE x.ended_at IS NULL
  -- include: queue_open_scope_filters
ORDER BY COALESCE(x.current_due_at, 9223372036854775807), x.id
LIMIT $13

-- name: dossier_count_assignee
-- $2 assignee account, $3 cap: dossier_q_assignee_idx (an officer holds few dossiers)
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT COUNT(*) FROM (SELECT 1 FROM dossier d
    WHERE d.assignee_account_id = CAST($2 AS BIGINT)
      AND (CAST($1 AS BIGINT) = 0 OR d.receiving_unit_id IN (SELECT id FROM sub)
           OR d.competent_unit_id IN (SELECT id FROM sub))
    LIMIT $3) t

-- name: dossier_count_due
-- open dossiers (the list's "not ended") with $2 <= sort key < $3 (the overdue and due soon
-- views); $4 cap: the partial indexes of the open dossiers
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT COUNT(*) FROM (
    SELECT 1 FROM dossier x WHERE CAST($1 AS BIGINT) = 0 AND x.ended_at IS NULL
        AND COALESCE(x.current_due_at, 9223372036854775807) >= CAST($2 AS BIGINT)
        AND COALESCE(x.current_due_at, 9223372036854775807) < CAST($3 AS BIGINT)
    UNION ALL
    SELECT 1 FROM dossier x WHERE x.competent_unit_id IN (SELECT id FROM sub) AND x.ended_at IS NULL
        AND COALESCE(x.current_due_at, 9223372036854775807) >= CAST($2 AS BIGINT)
        AND COALESCE(x.current_due_at, 9223372036854775807) < CAST($3 AS BIGINT)
    UNION ALL
    SELECT 1 FROM dossier x WHERE x.receiving_unit_id IN (SELECT id FROM sub) AND x.ended_at IS NULL
        AND COALESCE(x.current_due_at, 9223372036854775807) >= CAST($2 AS BIGINT)
        AND COALESCE(x.current_due_at, 9223372036854775807) < CAST($3 AS BIGINT)
        AND x.competent_unit_id NOT IN (SELECT id FROM sub)
    LIMIT $4) t

-- name: dossier_count_by_step
-- open dossiers per current step (not capped: it reads the open dossiers of the scope from
-- the partial indexes, each entry carrying the step)
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT t.step, COUNT(*) FROM (
    SELECT x.current_step AS step FROM dossier x
    WHERE CAST($1 AS BIGINT) = 0 AND x.ended_at IS NULL AND x.current_step > 0
    UNION ALL
    SELECT x.current_step FROM dossier x
    WHERE x.competent_unit_id IN (SELECT id FROM sub) AND x.ended_at IS NULL AND x.current_step > 0
    UNION ALL
    SELECT x.current_step FROM dossier x
    WHERE x.receiving_unit_id IN (SELECT id FROM sub) AND x.ended_at IS NULL AND x.current_step > 0
      AND x.competent_unit_id NOT IN (SELECT id FROM sub)
) t
GROUP BY t.step
ORDER BY t.step

-- name: dossier_queue_units
-- everything in a unit subtree: each unit's first page by competent unit (dossier_qc_idx) and by
-- receiving unit (dossier_qr_idx), merged
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT x.* FROM dossier x WHERE x.id IN (
    SELECT l.id FROM sub s CROSS JOIN LATERAL (
        SELECT x.id FROM dossier x WHERE x.competent_unit_id = s.id
        -- include: queue_filters
        ORDER BY COALESCE(x.current_due_at, 9223372036854775807), x.id LIMIT $13) l
    UNION ALL
    SELECT l.id FROM sub s CROSS JOIN LATERAL (
        SELECT x.id FROM dossier x WHERE x.receiving_unit_id = s.id
        -- include: queue_filters
        ORDER BY COALESCE(x.current_due_at, 9223372036854775807), x.id LIMIT $13) l
)
ORDER BY COALESCE(x.current_due_at, 9223372036854775807), x.id
LIMIT $13

-- name: dossier_queue_units_status
-- one status in a unit subtree: dossier_qc_status_idx, dossier_qr_status_idx
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT x.* FROM dossier x WHERE x.id IN (
    SELECT l.id FROM sub s CROSS JOIN LATERAL (
        SELECT x.id FROM dossier x WHERE x.competent_unit_id = s.id
          AND x.status = CAST($3 AS BIGINT)
        -- include: queue_filters
        ORDER BY COALESCE(x.current_due_at, 9223372036854775807), x.id LIMIT $13) l
    UNION ALL
    SELECT l.id FROM sub s CROSS JOIN LATERAL (
        SELECT x.id FROM dossier x WHERE x.receiving_unit_id = s.id
          AND x.status = CAST($3 AS BIGINT)
        -- include: queue_filters
        ORDER BY COALESCE(x.current_due_at, 9223372036854775807), x.id LIMIT $13) l
)
ORDER BY COALESCE(x.current_due_at, 9223372036854775807), x.id
LIMIT $13

-- name: dossier_queue_units_open
-- open dossiers in a unit subtree: the partial dossier_qc_open_idx, dossier_qr_open_idx (the
-- overdue and due-after filters leave out "not ended", stated once: twice, the planner takes it
-- for a rarer condition and prefers stats_dossier_ended_idx)
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT x.* FROM dossier x WHERE x.id IN (
    SELECT l.id FROM sub s CROSS JOIN LATERAL (
        SELECT x.id FROM dossier x WHERE x.competent_unit_id = s.id
          AND x.ended_at IS NULL
        -- include: queue_open_filters
        ORDER BY COALESCE(x.current_due_at, 9223372036854775807), x.id LIMIT $13) l
    UNION ALL
    SELECT l.id FROM sub s CROSS JOIN LATERAL (
        SELECT x.id FROM dossier x WHERE x.receiving_unit_id = s.id
          AND x.ended_at IS NULL
        -- include: queue_open_filters
        ORDER BY COALESCE(x.current_due_at, 9223372036854775807), x.id LIMIT $13) l
)
ORDER BY COALESCE(x.current_due_at, 9223372036854775807), x.id
LIMIT $13

-- fragment: queue_code_everywhere
-- the code searches everywhere ($1 = 0): the first page of all codes with the prefix $5
SELECT t.id FROM (SELECT c.id FROM dossier c WHERE CAST($1 AS BIGINT) = 0
        AND lower(c.code) COLLATE "C" >= $5 AND lower(c.code) COLLATE "C" < substr(CAST($5 AS TEXT), 1, length(CAST($5 AS TEXT)) - 1) || chr(ascii(substr(CAST($5 AS TEXT), length(CAST($5 AS TEXT)))) + 1)
        -- include: queue_code_after_cursor
        ORDER BY COALESCE(c.current_due_at, 9223372036854775807) + 0, c.id LIMIT $4) t

-- name: dossier_queue_code_top
-- Parameters of this query and dossier_queue_code_month (their own, queue.c): $1 unit subtree
-- (0 = everywhere), $2 / $3 the cursor (sort key, id; $2 < 0: none), $4 rows, $5 the code
-- prefix (printable ASCII, lower case), $6 the last sort key (9223372036854775807: none).
-- No other filter applies (queue.c takes dossier_queue_code otherwise), so each branch
-- reads only rows of the page's scope, cursor and prefix and the merged rows need no
-- second test.
-- The first page of each unit's codes with the prefix in the queue order, from the code indexes alone (they carry the due time),
-- merged; everywhere ($1 = 0) the first page of all codes with it. PostgreSQL: "+ 0" keeps the
-- planner from walking a unit's due-time index and testing the code on every row (the codes
-- of a month all sit late in that order): the code range is read and its rows sorted
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT x.* FROM dossier x
WHERE x.id IN (
    -- include: queue_code_everywhere
    UNION ALL
    SELECT l.id FROM sub s CROSS JOIN LATERAL (
        SELECT c.id FROM dossier c WHERE c.competent_unit_id = s.id
            AND lower(c.code) COLLATE "POSIX" >= $5 AND lower(c.code) COLLATE "POSIX" < substr(CAST($5 AS TEXT), 1, length(CAST($5 AS TEXT)) - 1) || chr(ascii(substr(CAST($5 AS TEXT), length(CAST($5 AS TEXT)))) + 1)
            -- include: queue_code_after_cursor
            ORDER BY COALESCE(c.current_due_at, 9223372036854775807) + 0, c.id LIMIT $4) l
    UNION ALL
    SELECT l.id FROM sub s CROSS JOIN LATERAL (
        SELECT c.id FROM dossier c WHERE c.receiving_unit_id = s.id
            AND lower(c.code) COLLATE "POSIX" >= $5 AND lower(c.code) COLLATE "POSIX" < substr(CAST($5 AS TEXT), 1, length(CAST($5 AS TEXT)) - 1) || chr(ascii(substr(CAST($5 AS TEXT), length(CAST($5 AS TEXT)))) + 1)
            -- include: queue_code_after_cursor
            ORDER BY COALESCE(c.current_due_at, 9223372036854775807) + 0, c.id LIMIT $4) l
)
ORDER BY COALESCE(x.current_due_at, 9223372036854775807), x.id
LIMIT $4

-- name: dossier_queue_code_month
-- the code search without other filters by a unit-and-month text ($5: the text up to its
-- first '-' and four characters more, lower case; queue.c): a unit's codes of that month
-- group are read from dossier_qc_month_idx / dossier_qr_month_idx (migration 0022) in the
-- queue order, a page per unit, merged; everywhere ($1 = 0) as dossier_queue_code_top
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT x.* FROM dossier x
WHERE x.id IN (
    -- include: queue_code_everywhere
    UNION ALL
    SELECT l.id FROM sub s CROSS JOIN LATERAL (
        SELECT c.id FROM dossier c WHERE c.competent_unit_id = s.id
            AND substr(lower(c.code), 1, strpos(c.code, '-') + 4) = CAST($5 AS TEXT)
            AND COALESCE(c.current_due_at, 9223372036854775807) >= CAST($2 AS BIGINT) AND COALESCE(c.current_due_at, 9223372036854775807) <= CAST($6 AS BIGINT)
            AND (COALESCE(c.current_due_at, 9223372036854775807) > CAST($2 AS BIGINT) OR c.id > CAST($3 AS BIGINT))
            ORDER BY COALESCE(c.current_due_at, 9223372036854775807), c.id LIMIT $4) l
    UNION ALL
    SELECT l.id FROM sub s CROSS JOIN LATERAL (
        SELECT c.id FROM dossier c WHERE c.receiving_unit_id = s.id
            AND substr(lower(c.code), 1, strpos(c.code, '-') + 4) = CAST($5 AS TEXT)
            AND COALESCE(c.current_due_at, 9223372036854775807) >= CAST($2 AS BIGINT) AND COALESCE(c.current_due_at, 9223372036854775807) <= CAST($6 AS BIGINT)
            AND (COALESCE(c.current_due_at, 9223372036854775807) > CAST($2 AS BIGINT) OR c.id > CAST($3 AS BIGINT))
            ORDER BY COALESCE(c.current_due_at, 9223372036854775807), c.id LIMIT $4) l
)
ORDER BY COALESCE(x.current_due_at, 9223372036854775807), x.id
LIMIT $4

-- name: dossier_queue_code
-- a code prefix ($15: printable ASCII, lower case) that few codes of the scope start with:
-- those codes (dossier_code_ci_idx everywhere, dossier_qc_code_idx / dossier_qr_code_idx
-- for each unit of the subtree: a byte-order range from the prefix up to the prefix with
-- its last character raised by one), then the view's filters and order. queue.c counts them
-- first (dossier_code_prefix_count) and, when they are many, walks the view's own index
-- with the prefix as a filter instead (a page then comes quickly).
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT x.* FROM dossier x
WHERE x.id IN (
    SELECT c.id FROM dossier c WHERE CAST($1 AS BIGINT) = 0
          AND lower(c.code) COLLATE "C" >= $15
          AND lower(c.code) COLLATE "C" < substr(CAST($15 AS TEXT), 1, length(CAST($15 AS TEXT)) - 1) || chr(ascii(substr(CAST($15 AS TEXT), length(CAST($15 AS TEXT)))) + 1)
    UNION ALL
    SELECT c.id FROM dossier c WHERE c.competent_unit_id IN (SELECT id FROM sub)
          AND lower(c.code) COLLATE "POSIX" >= $15
          AND lower(c.code) COLLATE "POSIX" < substr(CAST($15 AS TEXT), 1, length(CAST($15 AS TEXT)) - 1) || chr(ascii(substr(CAST($15 AS TEXT), length(CAST($15 AS TEXT)))) + 1)
    UNION ALL
    SELECT c.id FROM dossier c WHERE c.receiving_unit_id IN (SELECT id FROM sub)
          AND lower(c.code) COLLATE "POSIX" >= $15
          AND lower(c.code) COLLATE "POSIX" < substr(CAST($15 AS TEXT), 1, length(CAST($15 AS TEXT)) - 1) || chr(ascii(substr(CAST($15 AS TEXT), length(CAST($15 AS TEXT)))) + 1)
)
  -- include: queue_scope_filters
ORDER BY COALESCE(x.current_due_at, 9223372036854775807), x.id
LIMIT $13

-- name: dossier_code_prefix_count
-- how many codes of the scope (unit subtree $3, 0 = everywhere) start with $1, as
-- dossier_queue_code reads them (a dossier in the subtree by both units counts twice), at
-- most $2
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $3
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT COUNT(*) FROM (
    SELECT 1 FROM dossier c WHERE CAST($3 AS BIGINT) = 0
          AND lower(c.code) COLLATE "C" >= $1
          AND lower(c.code) COLLATE "C" < substr(CAST($1 AS TEXT), 1, length(CAST($1 AS TEXT)) - 1) || chr(ascii(substr(CAST($1 AS TEXT), length(CAST($1 AS TEXT)))) + 1)
    UNION ALL
    SELECT 1 FROM dossier c WHERE c.competent_unit_id IN (SELECT id FROM sub)
          AND lower(c.code) COLLATE "POSIX" >= $1
          AND lower(c.code) COLLATE "POSIX" < substr(CAST($1 AS TEXT), 1, length(CAST($1 AS TEXT)) - 1) || chr(ascii(substr(CAST($1 AS TEXT), length(CAST($1 AS TEXT)))) + 1)
    UNION ALL
    SELECT 1 FROM dossier c WHERE c.receiving_unit_id IN (SELECT id FROM sub)
          AND lower(c.code) COLLATE "POSIX" >= $1
          AND lower(c.code) COLLATE "POSIX" < substr(CAST($1 AS TEXT), 1, length(CAST($1 AS TEXT)) - 1) || chr(ascii(substr(CAST($1 AS TEXT), length(CAST($1 AS TEXT)))) + 1)
    LIMIT $2) t
