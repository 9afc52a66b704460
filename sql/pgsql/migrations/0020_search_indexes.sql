-- 0020_procedure_search_index (PostgreSQL) - procedure search (GET /api/v1/procedures?q=)
-- reads its candidates from an index instead of testing every procedure's search_text: a
-- trigram GIN index (pg_trgm, shipped with Debian's postgresql-15; a trusted extension, so
-- the database's owner may create it) over procedure.search_text (the folded code + name,
-- base/text.h), which answers the search's per-word LIKE '%word%' tests (the rows it finds
-- are re-checked by PostgreSQL, so a match is exactly a substring). PostgreSQL keeps it in
-- step with every write.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX procedure_search_trgm_idx ON procedure USING gin (search_text gin_trgm_ops);

-- Code search in the queues (issue 8): an officer's scope reads each unit's codes from the
-- unit-led code indexes. They were built on the same expression as the global
-- dossier_code_ci_idx, and with a unit given as a parameter (the LATERAL over the unit
-- subtree) the planner could not tell the unit's rows from all rows and took the global index
-- for the receiving side: for a wide prefix (a unit and month, ~60,000 codes) it read every
-- matching row of the province to keep the unit's. The unit-led indexes now use the "POSIX"
-- collation (byte order, like "C") and the unit branches of the queries name it, so only they
-- match there; they also carry id and code, so a page of a unit's codes is read from the index
-- alone (index-only once the table's pages are all-visible).
DROP INDEX dossier_qc_code_idx;
DROP INDEX dossier_qr_code_idx;
CREATE INDEX dossier_qc_code_idx ON dossier (competent_unit_id, (lower(code)) COLLATE "POSIX", current_due_at) INCLUDE (id, code);
CREATE INDEX dossier_qr_code_idx ON dossier (receiving_unit_id, (lower(code)) COLLATE "POSIX", current_due_at) INCLUDE (id, code);
