-- attach.sql (PostgreSQL) - queries that differ between the dialects.

-- name: attach_lock_dossier
-- Serialises the cap check of concurrent uploads to one dossier.
SELECT id FROM dossier WHERE id = $1 FOR UPDATE

-- name: attach_file_claim
-- $1 now, $2 lease end: claims the oldest held file no one holds a lease on; a row another
-- node is claiming right now is skipped, not waited for.
UPDATE file SET scan_claimed_until = $2
WHERE id = (SELECT id FROM file WHERE scan_status = 'pending'
            AND coalesce(scan_claimed_until, 0) < $1 ORDER BY id LIMIT 1
            FOR UPDATE SKIP LOCKED)
RETURNING id, sha256
