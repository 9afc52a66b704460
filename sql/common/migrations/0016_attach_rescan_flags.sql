-- 0016_attach_rescan_flags (src/attach): a lease on a file held while the scanner was down,
-- so that one node's periodic re-scan claims it (and another node skips it until the lease
-- runs out if that node dies); the citizen's-data-store flag on a dossier's component, next
-- to digitised / reused, which attach/ now copies from the files linked to the component so
-- that the statistics count them per component.
ALTER TABLE file ADD COLUMN scan_claimed_until BIGINT;
ALTER TABLE dossier_document ADD COLUMN from_datastore INTEGER NOT NULL DEFAULT 0;
