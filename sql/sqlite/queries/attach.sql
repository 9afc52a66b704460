-- attach.sql (SQLite) - queries that differ between the dialects.

-- name: attach_lock_dossier
-- Serialises the cap check of concurrent uploads to one dossier. SQLite has a single
-- writer (BEGIN IMMEDIATE), so reading the row is enough.
SELECT id FROM dossier WHERE id = $1

-- name: attach_file_claim
-- $1 now, $2 lease end: claims the oldest held file no one holds a lease on. SQLite has a
-- single writer (BEGIN IMMEDIATE), so the claim cannot race.
UPDATE file SET scan_claimed_until = $2
WHERE id = (SELECT id FROM file WHERE scan_status = 'pending'
            AND coalesce(scan_claimed_until, 0) < $1 ORDER BY id LIMIT 1)
RETURNING id, sha256
