-- Procedure search of one engine (src/catalog/catalog.c; the plain scan catalog_search and the
-- parameters: sql/common/queries/catalog.sql). SQLite: the candidates come from the FTS5
-- trigram index procedure_fts (migration 0020).

-- name: catalog_search_fts
-- catalog_search's candidates, looked up in procedure_fts: $9 an FTS5 query of every word of
-- 3 or more characters as a phrase ("dang" AND "khai"), each found exactly as a substring
-- (the trigrams of the word in a row), so of the LIKE patterns $1..$6 only the shorter words'
-- ('%ky%': 4 characters or fewer) are tested on the row.
WITH RECURSIVE anc(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = CAST($8 AS BIGINT)
    UNION ALL
    SELECT o.parent_id, a.depth + 1 FROM org_unit o JOIN anc a ON o.id = a.id
    WHERE o.parent_id IS NOT NULL AND a.depth < 64
)
SELECT p.id, p.code, p.search_text
FROM procedure_fts f
JOIN procedure p ON p.id = f.rowid
WHERE procedure_fts MATCH CAST($9 AS TEXT)
  AND p.current_version_id IS NOT NULL
  AND (CAST($1 AS TEXT) IS NULL OR length(CAST($1 AS TEXT)) > 4
       OR p.search_text LIKE CAST($1 AS TEXT) ESCAPE '\')
  AND (CAST($2 AS TEXT) IS NULL OR length(CAST($2 AS TEXT)) > 4
       OR p.search_text LIKE CAST($2 AS TEXT) ESCAPE '\')
  AND (CAST($3 AS TEXT) IS NULL OR length(CAST($3 AS TEXT)) > 4
       OR p.search_text LIKE CAST($3 AS TEXT) ESCAPE '\')
  AND (CAST($4 AS TEXT) IS NULL OR length(CAST($4 AS TEXT)) > 4
       OR p.search_text LIKE CAST($4 AS TEXT) ESCAPE '\')
  AND (CAST($5 AS TEXT) IS NULL OR length(CAST($5 AS TEXT)) > 4
       OR p.search_text LIKE CAST($5 AS TEXT) ESCAPE '\')
  AND (CAST($6 AS TEXT) IS NULL OR length(CAST($6 AS TEXT)) > 4
       OR p.search_text LIKE CAST($6 AS TEXT) ESCAPE '\')
  AND (CAST($7 AS TEXT) IS NULL OR p.field_name = CAST($7 AS TEXT)
       OR p.field_code = CAST($7 AS TEXT))
  AND (CAST($8 AS BIGINT) IS NULL OR EXISTS (
       SELECT 1 FROM procedure_unit pu
       WHERE pu.procedure_id = p.id AND pu.unit_id IN (SELECT id FROM anc)))
ORDER BY f.rowid
LIMIT CAST($10 AS BIGINT)

-- name: catalog_search_rows
-- the rows of a search's page: $1 their ids as a JSON array
SELECT p.id, p.code, p.name, p.field_code, p.field_name, p.online_level, p.current_version_id
FROM procedure p
WHERE p.id IN (SELECT value FROM json_each(CAST($1 AS TEXT)))
