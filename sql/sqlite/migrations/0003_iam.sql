-- 0003_iam (SQLite): accounts, role grants, sessions, API clients, login throttling and the
-- hash-chained audit trail (src/iam). Times are unix seconds, booleans 0/1.

CREATE TABLE account (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('citizen', 'business', 'officer', 'admin')),
	username TEXT UNIQUE,
	full_name TEXT NOT NULL,
	representative_name TEXT,
	phone TEXT UNIQUE,
	email TEXT UNIQUE,
	personal_id TEXT UNIQUE,
	tax_code TEXT UNIQUE,
	unit_id INTEGER REFERENCES org_unit(id),
	password_hash TEXT NOT NULL,
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX account_unit_idx ON account(unit_id);

CREATE TABLE role_grant (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES account(id),
	role TEXT NOT NULL,
	unit_id INTEGER REFERENCES org_unit(id),
	granted_by INTEGER REFERENCES account(id),
	created_at INTEGER NOT NULL,
	UNIQUE (account_id, role, unit_id)
);
-- NULL unit = everywhere; NULLs are distinct in UNIQUE, so this index keeps one such grant.
CREATE UNIQUE INDEX role_grant_everywhere_uq ON role_grant(account_id, role) WHERE unit_id IS NULL;

CREATE TABLE session (
	id INTEGER PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	account_id INTEGER NOT NULL REFERENCES account(id),
	csrf_token TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	revoked_at INTEGER,
	client_addr TEXT
);
CREATE INDEX session_account_idx ON session(account_id);

CREATE TABLE api_client (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	key_prefix TEXT NOT NULL,
	key_hash TEXT NOT NULL,
	perms TEXT NOT NULL,
	unit_id INTEGER REFERENCES org_unit(id),
	created_by INTEGER REFERENCES account(id),
	created_at INTEGER NOT NULL,
	revoked_at INTEGER
);
CREATE INDEX api_client_prefix_idx ON api_client(key_prefix);

CREATE TABLE login_failure (
	key TEXT PRIMARY KEY,
	fail_count INTEGER NOT NULL,
	window_start INTEGER NOT NULL
);

CREATE TABLE audit (
	id INTEGER PRIMARY KEY,
	seq INTEGER NOT NULL UNIQUE,
	at INTEGER NOT NULL,
	actor_id INTEGER,
	actor_label TEXT NOT NULL,
	action TEXT NOT NULL,
	object_type TEXT,
	object_id TEXT,
	client_addr TEXT,
	summary TEXT,
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL
);
CREATE INDEX audit_object_idx ON audit(object_type, object_id);

CREATE TABLE audit_head (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	last_seq INTEGER NOT NULL,
	last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, last_seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
