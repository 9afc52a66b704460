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
-- (RETURNING: a row only when this call gave the verdict, not another node)
UPDATE file SET scan_status = $2, scan_detail = $3, scanned_at = $4, scan_claimed_until = NULL
WHERE id = $1 AND scan_status IN ('pending', 'unscanned')
RETURNING id

-- name: attach_files_pending_count
SELECT count(*) AS n FROM file WHERE scan_status = 'pending'

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
    f.mime, f.scan_status, f.scan_detail, l.digitised, l.reused, l.from_datastore, l.source_id,
    sd.code AS source_dossier_code, l.added_by, l.added_by_label, l.created_at,
    d.applicant_account_id
FROM dossier_file l JOIN file f ON f.id = l.file_id JOIN dossier d ON d.id = l.dossier_id
LEFT JOIN dossier_file s ON s.id = l.source_id LEFT JOIN dossier sd ON sd.id = s.dossier_id
WHERE l.id = $1 AND (CAST($2 AS BIGINT) = 0 OR l.dossier_id = CAST($2 AS BIGINT))
    AND l.removed_at IS NULL

-- name: attach_links
-- $1 dossier id
SELECT l.id, l.file_id, d.code AS dossier_code, l.kind, l.component, l.name, f.sha256, f.size,
    f.mime, f.scan_status, f.scan_detail, l.digitised, l.reused, l.from_datastore, l.source_id,
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
    f.mime, f.scan_status, f.scan_detail, l.digitised, l.reused, l.from_datastore, l.source_id,
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

-- name: attach_file_release
-- $1 id: gives a claimed held file back (the scanner is still down), for the next pass
UPDATE file SET scan_claimed_until = NULL WHERE id = $1 AND scan_status = 'pending'

-- name: attach_file_links_live
-- $1 file id: the dossiers a file is linked to now, with who holds each (for a verdict)
SELECT l.id, d.code AS dossier_code, l.name, l.kind, l.component, d.assignee_account_id
FROM dossier_file l JOIN dossier d ON d.id = l.dossier_id
WHERE l.file_id = $1 AND l.removed_at IS NULL
ORDER BY l.id

-- name: attach_outbox_insert
-- $1 topic, $2 key, $3 payload (JSON), $4 now: a notice for the dossier's officers
INSERT INTO outbox (topic, key, payload, attempts, next_attempt_at, created_at)
VALUES ($1, $2, $3, 0, $4, $4)

-- name: attach_document_flags
-- $1 dossier id: any component flagged digitised / reused / taken from the data store
SELECT CASE WHEN EXISTS (SELECT 1 FROM dossier_document WHERE dossier_id = $1 AND digitised <> 0)
            THEN 1 ELSE 0 END AS digitised,
       CASE WHEN EXISTS (SELECT 1 FROM dossier_document WHERE dossier_id = $1 AND reused <> 0)
            THEN 1 ELSE 0 END AS reused

-- name: attach_document_flag
-- $1 dossier id, $2 component (doc code), $3 digitised, $4 reused, $5 from_datastore: a file
-- linked to the component with a flag sets it on the component (never clears it: the paper
-- was digitised / the data re-used even when the file is later replaced)
UPDATE dossier_document SET
    digitised = CASE WHEN $3 <> 0 THEN 1 ELSE digitised END,
    reused = CASE WHEN $4 <> 0 THEN 1 ELSE reused END,
    from_datastore = CASE WHEN $5 <> 0 THEN 1 ELSE from_datastore END
WHERE dossier_id = $1 AND doc_code = $2

-- name: attach_documents
-- $1 dossier id: the declared components with their flags
SELECT doc_code, name, originals, copies, digitised, reused, from_datastore
FROM dossier_document WHERE dossier_id = $1 ORDER BY id
