-- attach.sql (SQLite) - queries that differ between the dialects.

-- name: attach_lock_dossier
-- Serialises the cap check of concurrent uploads to one dossier. SQLite has a single
-- writer (BEGIN IMMEDIATE), so reading the row is enough.
SELECT id FROM dossier WHERE id = $1
