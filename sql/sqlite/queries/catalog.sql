-- Procedure search of one engine (src/catalog/catalog.c; the plain scan catalog_search and the
-- parameters: sql/common/queries/catalog.sql). SQLite: the candidates come from the FTS5
-- trigram index procedure_fts (migration 0020).

-- fragment: catalog_search_short_words
-- of the LIKE patterns $1..$6, only the shorter words' ('%ky%': 4 characters or fewer) are
-- tested on the row: FTS5 found the longer ones exactly
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

-- name: catalog_search_fts
-- catalog_search's candidates, looked up in procedure_fts: $9 an FTS5 query of every word of
-- 3 or more characters as a phrase ("dang" AND "khai"), each found exactly as a substring
-- (the trigrams of the word in a row), so of the LIKE patterns $1..$6 only the shorter words'
-- ('%ky%': 4 characters or fewer) are tested on the row.
-- include: catalog_search_units
SELECT p.id, p.code, p.search_text
FROM procedure_fts f
JOIN procedure p ON p.id = f.rowid
WHERE procedure_fts MATCH CAST($9 AS TEXT)
  AND p.current_version_id IS NOT NULL
  -- include: catalog_search_short_words
  -- include: catalog_search_scope
ORDER BY f.rowid
LIMIT CAST($10 AS BIGINT)

-- name: catalog_search_fts_all
-- catalog_search_fts without the field and unit filters (neither given: the search box
-- alone): $1..$6 the LIKE patterns, $7 the FTS5 query, $8 the cap; a shorter statement to
-- prepare (and, on PostgreSQL, to plan on every call)
SELECT p.id, p.code, p.search_text
FROM procedure_fts f
JOIN procedure p ON p.id = f.rowid
WHERE procedure_fts MATCH CAST($7 AS TEXT)
  AND p.current_version_id IS NOT NULL
  -- include: catalog_search_short_words
ORDER BY f.rowid
LIMIT CAST($8 AS BIGINT)

-- name: catalog_search_rows
-- the rows of a search's page: $1 their ids as a JSON array
SELECT p.id, p.code, p.name, p.field_code, p.field_name, p.online_level, p.current_version_id
FROM procedure p
WHERE p.id IN (SELECT value FROM json_each(CAST($1 AS TEXT)))
