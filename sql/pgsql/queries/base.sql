-- base.sql (PostgreSQL): storage-layer queries whose text differs between dialects.

-- Serialises nodes migrating the same database at once; released at commit.
-- The key is an arbitrary constant reserved for tinhso migrations.
-- name: db_migration_lock
SELECT pg_advisory_xact_lock(7410280510263910001)

-- 1 when the schema_migration table exists in the current schema, else 0.
-- name: db_migration_table_exists
SELECT count(*) FROM pg_catalog.pg_tables
WHERE schemaname = current_schema() AND tablename = 'schema_migration'
