-- attach.sql (PostgreSQL) - queries that differ between the dialects.

-- name: attach_lock_dossier
-- Serialises the cap check of concurrent uploads to one dossier.
SELECT id FROM dossier WHERE id = $1 FOR UPDATE
