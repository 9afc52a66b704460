-- store.sql (SQLite): the catalogue as `tinhso migrate-store` reads it (src/app/migrate_store.c).

-- Every table of the store, by name: not SQLite's own, nor an index kept in tables (the FTS5
-- table procedure_fts of migration 0020 and its shadow tables; PostgreSQL's counterpart is an
-- index).
-- name: store_tables
SELECT name FROM pragma_table_list
WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
ORDER BY name

-- Columns of table $1 in their declared order.
-- name: store_columns
SELECT name FROM pragma_table_info($1) ORDER BY cid

-- Primary-key columns of table $1, in key order (none: no rows).
-- name: store_pk_columns
SELECT name FROM pragma_table_info($1) WHERE pk > 0 ORDER BY pk

-- Tables that table $1 references with a foreign key, and the referencing column.
-- name: store_fk_refs
SELECT "table" AS parent, "from" AS col FROM pragma_foreign_key_list($1)

-- Identity columns of table $1 whose generator must follow the copied ids (SQLite has none:
-- INTEGER PRIMARY KEY takes max + 1 by itself).
-- name: store_identity_columns
SELECT name FROM pragma_table_info($1) WHERE 0
