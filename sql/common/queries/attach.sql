-- attach.sql - named queries of attachments (src/attach/attach.c): content-addressed files
-- and their links to dossiers. Timestamps BIGINT unix seconds.

-- name: attach_dossier_total
-- $1 dossier id: bytes of the files linked to it now
SELECT coalesce(sum(f.size), 0) AS total FROM dossier_file l JOIN file f ON f.id = l.file_id
WHERE l.dossier_id = $1 AND l.removed_at IS NULL

-- name: attach_file_insert
-- $1 sha256, $2 size, $3 mime, $4 scan status, $5 scan detail, $6 scanned at, $7 now
INSERT INTO file (sha256, size, mime, scan_status, scan_detail, scanned_at, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (sha256) DO NOTHING

-- name: attach_file_get
SELECT id, sha256, size, mime, scan_status FROM file WHERE sha256 = $1

-- name: attach_file_by_id
SELECT id, sha256, size, mime, scan_status FROM file WHERE id = $1

-- name: attach_file_scanned
-- $1 id, $2 status, $3 detail, $4 now: a verdict for a file held while the scanner was down
UPDATE file SET scan_status = $2, scan_detail = $3, scanned_at = $4
WHERE id = $1 AND scan_status IN ('pending', 'unscanned')

-- name: attach_files_pending
SELECT id, sha256 FROM file WHERE scan_status = 'pending' ORDER BY id LIMIT $1

-- name: attach_link_insert
-- $1 dossier, $2 file, $3 kind, $4 component, $5 name, $6 digitised, $7 reused,
-- $8 from_datastore, $9 source link, $10 account, $11 account label, $12 now
INSERT INTO dossier_file (dossier_id, file_id, kind, component, name, digitised, reused,
    from_datastore, source_id, added_by, added_by_label, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
RETURNING id

-- name: attach_link_get
-- $1 link id, $2 dossier id
SELECT l.id, l.file_id, d.code AS dossier_code, l.kind, l.component, l.name, f.sha256, f.size,
    f.mime, f.scan_status, l.digitised, l.reused, l.from_datastore, l.source_id,
    sd.code AS source_dossier_code, l.added_by, l.added_by_label, l.created_at,
    d.applicant_account_id
FROM dossier_file l JOIN file f ON f.id = l.file_id JOIN dossier d ON d.id = l.dossier_id
LEFT JOIN dossier_file s ON s.id = l.source_id LEFT JOIN dossier sd ON sd.id = s.dossier_id
WHERE l.id = $1 AND (CAST($2 AS BIGINT) = 0 OR l.dossier_id = CAST($2 AS BIGINT))
    AND l.removed_at IS NULL

-- name: attach_links
-- $1 dossier id
SELECT l.id, l.file_id, d.code AS dossier_code, l.kind, l.component, l.name, f.sha256, f.size,
    f.mime, f.scan_status, l.digitised, l.reused, l.from_datastore, l.source_id,
    sd.code AS source_dossier_code, l.added_by, l.added_by_label, l.created_at,
    d.applicant_account_id
FROM dossier_file l JOIN file f ON f.id = l.file_id JOIN dossier d ON d.id = l.dossier_id
LEFT JOIN dossier_file s ON s.id = l.source_id LEFT JOIN dossier sd ON sd.id = s.dossier_id
WHERE l.dossier_id = $1 AND l.removed_at IS NULL
ORDER BY l.id

-- name: attach_reusable
-- $1 applicant account, $2 dossier id to leave out: files of the applicant's other
-- dossiers, results first, newest first, one row per (dossier, file)
SELECT l.id, l.file_id, d.code AS dossier_code, l.kind, l.component, l.name, f.sha256, f.size,
    f.mime, f.scan_status, l.digitised, l.reused, l.from_datastore, l.source_id,
    sd.code AS source_dossier_code, l.added_by, l.added_by_label, l.created_at,
    d.applicant_account_id
FROM dossier_file l JOIN file f ON f.id = l.file_id JOIN dossier d ON d.id = l.dossier_id
LEFT JOIN dossier_file s ON s.id = l.source_id LEFT JOIN dossier sd ON sd.id = s.dossier_id
WHERE d.applicant_account_id = $1 AND d.id <> $2 AND l.removed_at IS NULL
    AND f.scan_status IN ('clean', 'unscanned')
ORDER BY CASE WHEN l.kind = 'result' THEN 0 ELSE 1 END, l.id DESC
LIMIT 100

-- name: attach_link_remove
-- $1 link id, $2 dossier id, $3 now
UPDATE dossier_file SET removed_at = $3 WHERE id = $1 AND dossier_id = $2 AND removed_at IS NULL
