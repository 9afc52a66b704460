-- 0005_catalog.sql (SQLite) - the procedure catalogue (DOMAIN.md §3): procedures, immutable
-- versions with effective dates (a dossier keeps the version_id it was accepted under),
-- case variants with per-channel times and documents, offering units. Rules in
-- src/catalog/catalog.c; search_text holds the folded code + name (base/text.h).
CREATE TABLE procedure (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	field_code TEXT,
	field_name TEXT NOT NULL,
	online_level INTEGER NOT NULL DEFAULT 0,
	current_version_id INTEGER,
	search_text TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	CONSTRAINT procedure_code_len CHECK (length(code) BETWEEN 1 AND 40),
	CONSTRAINT procedure_online_level CHECK (online_level IN (0, 1, 2))
);

CREATE TABLE procedure_version (
	id INTEGER PRIMARY KEY,
	procedure_id INTEGER NOT NULL REFERENCES procedure(id),
	version_no INTEGER NOT NULL,
	valid_from TEXT NOT NULL,
	valid_to TEXT,
	name TEXT NOT NULL,
	field_code TEXT,
	field_name TEXT NOT NULL,
	levels TEXT NOT NULL DEFAULT '[]',
	kind TEXT,
	target_groups TEXT NOT NULL DEFAULT '[]',
	online_level INTEGER NOT NULL DEFAULT 0,
	next_day_after_cutoff INTEGER NOT NULL DEFAULT 1,
	legal_basis TEXT,
	implementing_agency TEXT,
	competent_agency TEXT,
	results TEXT NOT NULL DEFAULT '[]',
	fees TEXT NOT NULL DEFAULT '[]',
	content_hash TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	UNIQUE (procedure_id, version_no),
	CONSTRAINT procedure_version_dates CHECK (valid_to IS NULL OR valid_to >= valid_from),
	CONSTRAINT procedure_version_online_level CHECK (online_level IN (0, 1, 2))
);
CREATE INDEX procedure_version_proc_idx ON procedure_version (procedure_id, valid_from);

CREATE TABLE procedure_variant (
	id INTEGER PRIMARY KEY,
	version_id INTEGER NOT NULL REFERENCES procedure_version(id),
	code TEXT NOT NULL,
	name TEXT NOT NULL,
	is_default INTEGER NOT NULL DEFAULT 0,
	no_due_date INTEGER NOT NULL DEFAULT 0,
	form_fields TEXT,
	ord INTEGER NOT NULL DEFAULT 0,
	UNIQUE (version_id, code)
);

CREATE TABLE variant_time (
	variant_id INTEGER NOT NULL REFERENCES procedure_variant(id),
	channel INTEGER NOT NULL,
	amount BIGINT NOT NULL,
	unit TEXT NOT NULL,
	PRIMARY KEY (variant_id, channel),
	CONSTRAINT variant_time_channel CHECK (channel IN (1, 2, 3)),
	CONSTRAINT variant_time_amount CHECK (amount >= 0),
	CONSTRAINT variant_time_unit CHECK (unit IN ('working_hours', 'working_days', 'calendar_days'))
);

CREATE TABLE variant_document (
	id INTEGER PRIMARY KEY,
	variant_id INTEGER NOT NULL REFERENCES procedure_variant(id),
	code TEXT NOT NULL,
	name TEXT NOT NULL,
	originals INTEGER NOT NULL DEFAULT 1,
	copies INTEGER NOT NULL DEFAULT 0,
	required INTEGER NOT NULL DEFAULT 1,
	template_file TEXT,
	ord INTEGER NOT NULL DEFAULT 0,
	UNIQUE (variant_id, code)
);

CREATE TABLE procedure_unit (
	procedure_id INTEGER NOT NULL REFERENCES procedure(id),
	unit_id INTEGER NOT NULL REFERENCES org_unit(id),
	UNIQUE (procedure_id, unit_id)
);
CREATE INDEX procedure_unit_unit_idx ON procedure_unit (unit_id);

-- the current version of a procedure (set once its first version exists)
CREATE INDEX procedure_current_idx ON procedure (current_version_id);
