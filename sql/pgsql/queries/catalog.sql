-- Procedure search of one engine (src/catalog/catalog.c; the plain scan catalog_search and the
-- parameters: sql/common/queries/catalog.sql). PostgreSQL: the LIKE patterns are answered by
-- the trigram index procedure_search_trgm_idx (migration 0020; the statement is planned with
-- its parameters' values, so the NULL tests fold away).

-- name: catalog_search_fts
-- catalog_search's candidates through the trigram index; $9 (SQLite's FTS5 query) is not
-- needed here.
-- include: catalog_search_units
SELECT p.id, p.code, p.search_text
FROM procedure p
WHERE p.current_version_id IS NOT NULL
  AND CAST($9 AS TEXT) IS NOT NULL
  -- include: catalog_search_words
  -- include: catalog_search_scope
ORDER BY p.id
LIMIT CAST($10 AS BIGINT)

-- name: catalog_search_fts_all
-- catalog_search_fts without the field and unit filters (neither given: the search box
-- alone): $1..$6 the LIKE patterns, $7 SQLite's FTS5 query (not needed here), $8 the cap;
-- about half the planning of catalog_search_fts (no unit subtree, no EXISTS)
SELECT p.id, p.code, p.search_text
FROM procedure p
WHERE p.current_version_id IS NOT NULL
  AND CAST($7 AS TEXT) IS NOT NULL
  -- include: catalog_search_words
ORDER BY p.id
LIMIT CAST($8 AS BIGINT)

-- name: catalog_search_rows
-- the rows of a search's page: $1 their ids as a JSON array
SELECT p.id, p.code, p.name, p.field_code, p.field_name, p.online_level, p.current_version_id
FROM procedure p
WHERE p.id IN (SELECT CAST(v AS BIGINT) FROM json_array_elements_text(CAST($1 AS JSON)) AS v)
