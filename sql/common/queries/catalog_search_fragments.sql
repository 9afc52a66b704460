-- catalog_search_fragments.sql: the parts every procedure search query shares (the plain scan
-- catalog_search in catalog.sql, each engine's catalog_search_fts), spliced by tools/sqlembed.c
-- where a query says "-- include: NAME", indented like that line.

-- fragment: catalog_search_units
-- the unit $8 and its ancestors (a unit offers what it or an ancestor is linked to)
WITH RECURSIVE anc(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = CAST($8 AS BIGINT)
    UNION ALL
    SELECT o.parent_id, a.depth + 1 FROM org_unit o JOIN anc a ON o.id = a.id
    WHERE o.parent_id IS NOT NULL AND a.depth < 64
)

-- fragment: catalog_search_scope
-- the field ($7: name or code) and unit ($8, with catalog_search_units) filters
AND (CAST($7 AS TEXT) IS NULL OR p.field_name = CAST($7 AS TEXT)
     OR p.field_code = CAST($7 AS TEXT))
AND (CAST($8 AS BIGINT) IS NULL OR EXISTS (
     SELECT 1 FROM procedure_unit pu
     WHERE pu.procedure_id = p.id AND pu.unit_id IN (SELECT id FROM anc)))

-- fragment: catalog_search_words
-- $1..$6: each a LIKE pattern over the folded text (NULL = no condition)
AND (CAST($1 AS TEXT) IS NULL OR p.search_text LIKE CAST($1 AS TEXT) ESCAPE '\')
AND (CAST($2 AS TEXT) IS NULL OR p.search_text LIKE CAST($2 AS TEXT) ESCAPE '\')
AND (CAST($3 AS TEXT) IS NULL OR p.search_text LIKE CAST($3 AS TEXT) ESCAPE '\')
AND (CAST($4 AS TEXT) IS NULL OR p.search_text LIKE CAST($4 AS TEXT) ESCAPE '\')
AND (CAST($5 AS TEXT) IS NULL OR p.search_text LIKE CAST($5 AS TEXT) ESCAPE '\')
AND (CAST($6 AS TEXT) IS NULL OR p.search_text LIKE CAST($6 AS TEXT) ESCAPE '\')
