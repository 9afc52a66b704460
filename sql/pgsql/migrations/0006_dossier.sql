-- 0006_dossier (PostgreSQL) - workflows (flow, flow_version, flow_step) and dossiers (DOMAIN.md
-- §4-5): the dossier row with its three organisation references, code aliases, every
-- transition as an event (the control slip), submitted documents, the outbox and the daily
-- counters kept in the same transaction. Rules live in src/flow/flow.c, src/dossier/dossier.c.
-- Procedure, version and variant ids come from the catalogue (0005), kept without foreign
-- keys so that catalogue history can be archived independently.
CREATE TABLE flow (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	procedure_id BIGINT NOT NULL,
	variant_id BIGINT NOT NULL DEFAULT 0,
	unit_id BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	UNIQUE (procedure_id, variant_id, unit_id)
);

CREATE TABLE flow_version (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	flow_id BIGINT NOT NULL REFERENCES flow(id),
	version INTEGER NOT NULL,
	published_at BIGINT NOT NULL,
	UNIQUE (flow_id, version)
);

CREATE TABLE flow_step (
	flow_version_id BIGINT NOT NULL REFERENCES flow_version(id),
	ord INTEGER NOT NULL CHECK (ord BETWEEN 1 AND 30),
	kind TEXT NOT NULL,
	role TEXT NOT NULL,
	unit_rel TEXT NOT NULL CHECK (unit_rel IN ('absolute', 'receiving', 'competent')),
	unit_id BIGINT REFERENCES org_unit(id),
	hours BIGINT NOT NULL CHECK (hours >= 0),
	PRIMARY KEY (flow_version_id, ord)
);

CREATE TABLE dossier (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	procedure_id BIGINT NOT NULL,
	procedure_version_id BIGINT NOT NULL,
	variant_id BIGINT NOT NULL,
	procedure_code TEXT NOT NULL,
	procedure_name TEXT NOT NULL,
	flow_version_id BIGINT NOT NULL DEFAULT 0,
	legal_hours BIGINT NOT NULL,
	time_amount BIGINT NOT NULL,
	time_unit INTEGER NOT NULL,
	next_day_after_cutoff INTEGER NOT NULL DEFAULT 0,
	no_due_date INTEGER NOT NULL DEFAULT 0,
	received_unit_id BIGINT NOT NULL REFERENCES org_unit(id),
	receiving_unit_id BIGINT NOT NULL REFERENCES org_unit(id),
	competent_unit_id BIGINT NOT NULL REFERENCES org_unit(id),
	applicant_account_id BIGINT REFERENCES account(id),
	applicant_name TEXT NOT NULL,
	applicant_phone TEXT,
	applicant_id_last4 TEXT,
	channel INTEGER NOT NULL CHECK (channel BETWEEN 1 AND 3),
	delivery TEXT NOT NULL CHECK (delivery IN ('counter', 'post', 'electronic')),
	status INTEGER NOT NULL CHECK (status BETWEEN 1 AND 10),
	resume_status INTEGER NOT NULL DEFAULT 0,
	current_step INTEGER NOT NULL DEFAULT 1,
	step_started_at BIGINT,
	step_due_at BIGINT,
	assignee_account_id BIGINT REFERENCES account(id),
	submitted_at BIGINT NOT NULL,
	accepted_at BIGINT,
	due_at BIGINT,
	current_due_at BIGINT,
	original_due_at BIGINT,
	ended_at BIGINT,
	delivered_at BIGINT,
	paused_seconds BIGINT NOT NULL DEFAULT 0,
	paused_since BIGINT,
	supplement_count INTEGER NOT NULL DEFAULT 0,
	apology_count INTEGER NOT NULL DEFAULT 0,
	on_time INTEGER,
	version INTEGER NOT NULL DEFAULT 1,
	form_data TEXT NOT NULL DEFAULT '{}',
	rating INTEGER CHECK (rating IS NULL OR rating BETWEEN 1 AND 5),
	comment TEXT,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
-- Work queues (sql/common/queries/dossier.sql, dossier_queue*): each walks one of these in
-- the queue order (current due, no due last, then id) and stops at the page size.
CREATE INDEX dossier_q_all_idx ON dossier ((COALESCE(current_due_at, 9223372036854775807)), id);
CREATE INDEX dossier_q_status_idx ON dossier (status, (COALESCE(current_due_at, 9223372036854775807)), id);
CREATE INDEX dossier_q_applicant_idx ON dossier (applicant_account_id, (COALESCE(current_due_at, 9223372036854775807)), id);
CREATE INDEX dossier_q_assignee_idx ON dossier (assignee_account_id, (COALESCE(current_due_at, 9223372036854775807)), id);
CREATE INDEX dossier_competent_idx ON dossier (competent_unit_id, status);
CREATE INDEX dossier_receiving_idx ON dossier (receiving_unit_id, status);

-- Codes other systems gave the same dossier (DVCQG and others).
CREATE TABLE dossier_code_alias (
	alias TEXT NOT NULL,
	system TEXT NOT NULL,
	dossier_id BIGINT NOT NULL REFERENCES dossier(id),
	created_at BIGINT NOT NULL,
	PRIMARY KEY (system, alias)
);

-- Every transition: the control slip and the statistics derive from these rows.
CREATE TABLE dossier_event (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	dossier_id BIGINT NOT NULL REFERENCES dossier(id),
	at BIGINT NOT NULL,
	actor_account_id BIGINT REFERENCES account(id),
	actor_label TEXT NOT NULL,
	action TEXT NOT NULL,
	from_status INTEGER NOT NULL,
	to_status INTEGER NOT NULL,
	step INTEGER,
	to_step INTEGER,
	receiver_account_id BIGINT REFERENCES account(id),
	step_started_at BIGINT,
	step_due_at BIGINT,
	handed_at BIGINT,
	result TEXT CHECK (result IS NULL OR result IN ('early', 'on_time', 'late')),
	reason TEXT,
	items TEXT
);
CREATE INDEX dossier_event_dossier_idx ON dossier_event (dossier_id, id);

-- Components submitted with a dossier.
CREATE TABLE dossier_document (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	dossier_id BIGINT NOT NULL REFERENCES dossier(id),
	doc_code TEXT NOT NULL,
	name TEXT NOT NULL,
	originals INTEGER NOT NULL DEFAULT 0,
	copies INTEGER NOT NULL DEFAULT 0,
	digitised INTEGER NOT NULL DEFAULT 0,
	reused INTEGER NOT NULL DEFAULT 0,
	UNIQUE (dossier_id, doc_code)
);

-- Messages to other systems, written in the same transaction as the change they announce.
CREATE TABLE outbox (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	topic TEXT NOT NULL,
	key TEXT NOT NULL,
	payload TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at BIGINT NOT NULL,
	done_at BIGINT,
	created_at BIGINT NOT NULL
);
CREATE INDEX outbox_pending_idx ON outbox (done_at, next_attempt_at);

-- Daily counters per (local day yyyymmdd, competent unit, procedure, channel, metric).
CREATE TABLE stats_daily (
	day INTEGER NOT NULL,
	unit_id BIGINT NOT NULL,
	procedure_id BIGINT NOT NULL,
	channel INTEGER NOT NULL,
	metric TEXT NOT NULL,
	count BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (day, unit_id, procedure_id, channel, metric)
);
