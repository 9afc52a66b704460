-- store.sql (PostgreSQL): the catalogue as `tinhso migrate-store` reads it
-- (src/app/migrate_store.c), for the tables of the current schema.

-- Every table of the store, by name.
-- name: store_tables
SELECT tablename AS name FROM pg_catalog.pg_tables
WHERE schemaname = current_schema()
ORDER BY tablename COLLATE "C"

-- Columns of table $1 in their declared order.
-- name: store_columns
SELECT a.attname AS name
FROM pg_catalog.pg_attribute a
WHERE a.attrelid = to_regclass(quote_ident(CAST($1 AS TEXT))) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum

-- Primary-key columns of table $1, in key order (none: no rows).
-- name: store_pk_columns
SELECT a.attname AS name
FROM pg_catalog.pg_index i
CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indrelid = to_regclass(quote_ident(CAST($1 AS TEXT))) AND i.indisprimary
ORDER BY k.ord

-- Tables that table $1 references with a foreign key, and the referencing column.
-- name: store_fk_refs
SELECT c.confrelid::regclass::text AS parent, a.attname AS col
FROM pg_catalog.pg_constraint c
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
WHERE c.conrelid = to_regclass(quote_ident(CAST($1 AS TEXT))) AND c.contype = 'f'

-- Identity columns of table $1 whose generator must follow the copied ids.
-- name: store_identity_columns
SELECT a.attname AS name
FROM pg_catalog.pg_attribute a
WHERE a.attrelid = to_regclass(quote_ident(CAST($1 AS TEXT))) AND a.attidentity <> ''
  AND a.attnum > 0 AND NOT a.attisdropped
