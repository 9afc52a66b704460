-- org.sql (PostgreSQL) - organisation-tree queries that differ by dialect: the subtree's
-- depth-first order compares code paths byte by byte (COLLATE "C"; the database's
-- linguistic collation would skip the dots and slashes and break depth-first order).

-- name: org_unit_subtree
-- $1 root id, $2 date 'YYYY-MM-DD' or NULL. Depth-first by code path; a unit not in force
-- on $2 hides its whole subtree.
WITH RECURSIVE sub(id, depth, path) AS (
    SELECT u.id, 0, CAST(u.code AS TEXT) FROM org_unit u
    WHERE u.id = $1
      AND (CAST($2 AS TEXT) IS NULL OR (u.valid_from <= CAST($2 AS TEXT)
           AND (u.valid_to IS NULL OR u.valid_to > CAST($2 AS TEXT))))
    UNION ALL
    SELECT c.id, s.depth + 1, CAST(s.path || '/' || c.code AS TEXT)
    FROM org_unit c JOIN sub s ON c.parent_id = s.id
    WHERE s.depth < 64
      AND (CAST($2 AS TEXT) IS NULL OR (c.valid_from <= CAST($2 AS TEXT)
           AND (c.valid_to IS NULL OR c.valid_to > CAST($2 AS TEXT))))
)
SELECT u.id, u.code, u.name, u.short_name, u.kind, u.parent_id, u.valid_from, u.valid_to,
       u.successor_id, u.version, u.created_at, u.updated_at,
       (SELECT COUNT(*) FROM org_unit c WHERE c.parent_id = u.id) AS children_count,
       s.depth
FROM sub s JOIN org_unit u ON u.id = s.id
ORDER BY s.path COLLATE "C"
