-- org.sql - named queries of the organisation tree (src/org/org.c). Accepted by both
-- SQLite 3.40 and PostgreSQL 15: parameters whose type cannot be inferred are CAST, dates
-- are 'YYYY-MM-DD' text compared as text, recursive CTEs carry a depth bound.

-- name: org_unit_insert
-- $1 code, $2 name, $3 short_name, $4 kind, $5 parent_id (NULL = root), $6 valid_from, $7 now
INSERT INTO org_unit (code, name, short_name, kind, parent_id, valid_from, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
RETURNING id

-- name: org_unit_get
SELECT u.id, u.code, u.name, u.short_name, u.kind, u.parent_id, u.valid_from, u.valid_to,
       u.successor_id, u.version, u.created_at, u.updated_at,
       (SELECT COUNT(*) FROM org_unit c WHERE c.parent_id = u.id) AS children_count
FROM org_unit u
WHERE u.id = $1

-- name: org_unit_code
-- $1 id -> the unit's agency code (never changed once created: ts_org_unit_code caches it)
SELECT code FROM org_unit WHERE id = $1

-- name: org_unit_id_by_code
SELECT id FROM org_unit WHERE code = $1

-- name: org_unit_update
-- $1 id, $2 expected version, $3 name, $4 short_name, $5 kind, $6 parent_id, $7 valid_to,
-- $8 successor_id, $9 now. Changes 0 rows when the version is stale.
UPDATE org_unit
SET name = $3, short_name = $4, kind = $5, parent_id = $6, valid_to = $7, successor_id = $8,
    version = version + 1, updated_at = $9
WHERE id = $1 AND version = $2

-- name: org_unit_in_subtree
-- 1 row with n = 1 when unit $2 lies in the subtree rooted at $1 (including $1 itself).
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id
    WHERE s.depth < 64
)
SELECT COUNT(*) AS n FROM sub WHERE id = CAST($2 AS BIGINT)

-- name: org_unit_list
-- $1 parent mode 'any' | 'roots' | 'id', $2 parent id, $3 kind or NULL, $4 LIKE pattern
-- (lower case, '\' escapes) or NULL, $5 date or NULL, $6 limit, $7 offset.
SELECT u.id, u.code, u.name, u.short_name, u.kind, u.parent_id, u.valid_from, u.valid_to,
       u.successor_id, u.version, u.created_at, u.updated_at,
       (SELECT COUNT(*) FROM org_unit c WHERE c.parent_id = u.id) AS children_count
FROM org_unit u
WHERE (CAST($1 AS TEXT) = 'any'
       OR (CAST($1 AS TEXT) = 'roots' AND u.parent_id IS NULL)
       OR (CAST($1 AS TEXT) = 'id' AND u.parent_id = CAST($2 AS BIGINT)))
  AND (CAST($3 AS TEXT) IS NULL OR u.kind = CAST($3 AS TEXT))
  AND (CAST($4 AS TEXT) IS NULL
       OR lower(u.name) LIKE CAST($4 AS TEXT) ESCAPE '\'
       OR lower(u.code) LIKE CAST($4 AS TEXT) ESCAPE '\'
       OR lower(COALESCE(u.short_name, '')) LIKE CAST($4 AS TEXT) ESCAPE '\')
  AND (CAST($5 AS TEXT) IS NULL OR (u.valid_from <= CAST($5 AS TEXT)
       AND (u.valid_to IS NULL OR u.valid_to > CAST($5 AS TEXT))))
ORDER BY u.code, u.id
LIMIT CAST($6 AS BIGINT) OFFSET CAST($7 AS BIGINT)

-- name: org_unit_count
-- Same filters as org_unit_list ($1..$5), without paging.
SELECT COUNT(*) AS n
FROM org_unit u
WHERE (CAST($1 AS TEXT) = 'any'
       OR (CAST($1 AS TEXT) = 'roots' AND u.parent_id IS NULL)
       OR (CAST($1 AS TEXT) = 'id' AND u.parent_id = CAST($2 AS BIGINT)))
  AND (CAST($3 AS TEXT) IS NULL OR u.kind = CAST($3 AS TEXT))
  AND (CAST($4 AS TEXT) IS NULL
       OR lower(u.name) LIKE CAST($4 AS TEXT) ESCAPE '\'
       OR lower(u.code) LIKE CAST($4 AS TEXT) ESCAPE '\'
       OR lower(COALESCE(u.short_name, '')) LIKE CAST($4 AS TEXT) ESCAPE '\')
  AND (CAST($5 AS TEXT) IS NULL OR (u.valid_from <= CAST($5 AS TEXT)
       AND (u.valid_to IS NULL OR u.valid_to > CAST($5 AS TEXT))))
