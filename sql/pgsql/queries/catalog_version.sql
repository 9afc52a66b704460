-- catalog_version.sql (PostgreSQL) - which version of a procedure is in force on a day,
-- asked of the store by every submission (src/catalog/catalog.c, ts_catalog_variant_for; the
-- version's content then comes from the cache). SQLite: sql/sqlite/queries/.

-- name: catalog_version_at
-- $1 procedure code, $2 date 'YYYY-MM-DD' -> the version in force that day (the newest
-- when a version was replaced on the day it started); the few versions of one procedure
-- are found by index and sorted in memory (top-N).
SELECT v.id
FROM procedure_version v JOIN procedure p ON p.id = v.procedure_id
WHERE p.code = $1 AND v.valid_from <= CAST($2 AS TEXT)
  AND (v.valid_to IS NULL OR v.valid_to > CAST($2 AS TEXT))
ORDER BY v.version_no DESC
LIMIT 1
