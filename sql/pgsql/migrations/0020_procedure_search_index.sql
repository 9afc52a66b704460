-- 0020_procedure_search_index (PostgreSQL) - procedure search (GET /api/v1/procedures?q=)
-- reads its candidates from an index instead of testing every procedure's search_text: a
-- trigram GIN index (pg_trgm, shipped with Debian's postgresql-15; a trusted extension, so
-- the database's owner may create it) over procedure.search_text (the folded code + name,
-- base/text.h), which answers the search's per-word LIKE '%word%' tests (the rows it finds
-- are re-checked by PostgreSQL, so a match is exactly a substring). PostgreSQL keeps it in
-- step with every write.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX procedure_search_trgm_idx ON procedure USING gin (search_text gin_trgm_ops);
