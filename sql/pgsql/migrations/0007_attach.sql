-- 0007_attach (PostgreSQL) - attachments (src/attach): content-addressed files (one row per
-- distinct SHA-256, the bytes in the blob folder) with their detected type and virus-scan
-- state, and their links to dossiers: a required-document component (input) or a result
-- (output), with the digitised / reused / citizen's-data-store flags the statistics count.
CREATE TABLE file (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
	size BIGINT NOT NULL CHECK (size > 0),
	mime TEXT NOT NULL,
	scan_status TEXT NOT NULL CHECK (scan_status IN ('clean', 'unscanned', 'pending', 'infected')),
	scan_detail TEXT,
	scanned_at BIGINT,
	created_at BIGINT NOT NULL
);
CREATE INDEX file_pending_idx ON file (scan_status);

CREATE TABLE dossier_file (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	dossier_id BIGINT NOT NULL REFERENCES dossier(id),
	file_id BIGINT NOT NULL REFERENCES file(id),
	kind TEXT NOT NULL CHECK (kind IN ('input', 'result')),
	component TEXT NOT NULL,
	name TEXT NOT NULL,
	digitised INTEGER NOT NULL DEFAULT 0,
	reused INTEGER NOT NULL DEFAULT 0,
	from_datastore INTEGER NOT NULL DEFAULT 0,
	source_id BIGINT REFERENCES dossier_file(id),
	added_by BIGINT REFERENCES account(id),
	added_by_label TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	removed_at BIGINT
);
CREATE INDEX dossier_file_dossier_idx ON dossier_file (dossier_id, id);
CREATE INDEX dossier_file_file_idx ON dossier_file (file_id);
