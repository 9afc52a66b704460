-- base.sql (SQLite): storage-layer queries whose text differs between dialects.

-- Serialises migrating nodes; on SQLite the single writer connection already does.
-- name: db_migration_lock
SELECT 1

-- 1 when the schema_migration table exists, else 0.
-- name: db_migration_table_exists
SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migration'
