-- catalog_version.sql (SQLite) - which version of a procedure is in force on a day, asked
-- of the store by every submission (src/catalog/catalog.c, ts_catalog_variant_for; the
-- version's content then comes from the cache). PostgreSQL: sql/pgsql/queries/.

-- name: catalog_version_at
-- $1 procedure code, $2 date 'YYYY-MM-DD' -> the version in force that day (the newest
-- when a version was replaced on the day it started). The unary + keeps SQLite off the
-- (procedure_id, valid_from) index, so it walks UNIQUE (procedure_id, version_no) from the
-- newest version down and stops at the first match instead of sorting in a temporary
-- B-tree (EXPLAIN QUERY PLAN: SEARCH v USING INDEX sqlite_autoindex_procedure_version_1).
SELECT v.id
FROM procedure_version v JOIN procedure p ON p.id = v.procedure_id
WHERE p.code = $1 AND +v.valid_from <= CAST($2 AS TEXT)
  AND (v.valid_to IS NULL OR v.valid_to > CAST($2 AS TEXT))
ORDER BY v.version_no DESC
LIMIT 1
