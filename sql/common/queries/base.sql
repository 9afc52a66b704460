-- base.sql: platform queries shared by both dialects (storage layer, idempotency,
-- sequences). Parameters are $1..$N; every parameter must appear in the query.

-- name: db_ping
SELECT 1 AS ok

-- Migration bookkeeping (db/migrate.c). The table is created before migration 1.
-- name: db_migration_table
CREATE TABLE IF NOT EXISTS schema_migration (
	number INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at BIGINT NOT NULL
)

-- name: db_migration_applied
SELECT number FROM schema_migration WHERE number = $1

-- name: db_migration_record
INSERT INTO schema_migration (number, name, applied_at) VALUES ($1, $2, $3)

-- name: db_schema_version
SELECT coalesce(max(number), 0) AS version FROM schema_migration

-- Next value of the named sequence $1 (first call returns 1). Run it in the write
-- transaction that uses the value: a rolled-back transaction gives the value back.
-- name: seq_next
INSERT INTO sequence_counter (name, value) VALUES ($1, 1)
ON CONFLICT (name) DO UPDATE SET value = sequence_counter.value + 1
RETURNING value

-- Current value of sequence $1 (no row: never used).
-- name: seq_get
SELECT value FROM sequence_counter WHERE name = $1

-- Sequences with $1 <= name < $2, by name (a prefix scan: $2 = prefix with its last
-- byte incremented).
-- name: seq_list
SELECT name, value FROM sequence_counter WHERE name >= $1 AND name < $2 ORDER BY name

-- The stored answer for (actor $1, key $2).
-- name: idem_get
SELECT route, request_hash, status, response, created_at
FROM idempotency_key WHERE actor = $1 AND key = $2

-- Claims (actor $1, key $2) for route $3 and request hash $4 at $7; status $5 and
-- response $6 may be NULL while processing. Conflict: the key was used before.
-- name: idem_put
INSERT INTO idempotency_key (actor, key, route, request_hash, status, response, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)

-- Records the answer (status $3, response $4) of a claimed key (actor $1, key $2).
-- name: idem_complete
UPDATE idempotency_key SET status = $3, response = $4
WHERE actor = $1 AND key = $2 AND status IS NULL

-- Forgets keys created before $1 (unix seconds).
-- name: idem_purge
DELETE FROM idempotency_key WHERE created_at < $1

-- Forgets at most $2 keys created before $1 (unix seconds), oldest first: a bounded range of
-- idempotency_key_created_at (src/dossier/idem.c runs it until a batch comes back short).
-- name: idem_purge_batch
DELETE FROM idempotency_key WHERE (actor, key) IN (
    SELECT actor, key FROM idempotency_key WHERE created_at < CAST($1 AS BIGINT)
    ORDER BY created_at LIMIT $2)
