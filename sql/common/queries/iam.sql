-- iam.sql - named queries of src/iam (accounts, grants, sessions, API clients, login
-- throttling, audit). Both SQLite 3.40 and PostgreSQL 15 run these as written.
-- "Scope" queries take $1 = space-separated root unit ids (" 3 17 ") and $2 = 1 when the
-- actor's grant covers everything; the recursive CTE expands the roots to their subtrees.

-- name: iam_login_lookup
SELECT id, kind, username, full_name, unit_id, status, password_hash, totp_secret,
	locked_at, totp_last_step
FROM account
WHERE username = $1 OR personal_id = $1 OR tax_code = $1 OR email = $2 OR phone = $3
ORDER BY id
LIMIT 3;

-- name: iam_fail_get
SELECT fail_count FROM login_failure WHERE key = $1 AND window_start > $2;

-- name: iam_fail_add
INSERT INTO login_failure (key, fail_count, window_start) VALUES ($1, 1, $2)
ON CONFLICT (key) DO UPDATE SET
	fail_count = CASE WHEN login_failure.window_start <= $3 THEN 1
		ELSE login_failure.fail_count + 1 END,
	window_start = CASE WHEN login_failure.window_start <= $3 THEN excluded.window_start
		ELSE login_failure.window_start END;

-- name: iam_fail_clear
DELETE FROM login_failure WHERE key = $1;

-- name: iam_session_insert
INSERT INTO session (token_hash, account_id, csrf_token, created_at, last_seen_at, expires_at,
	client_addr, totp_enrol_only)
VALUES ($1, $2, $3, $4, $4, $5, $6, $7)
RETURNING id;

-- name: iam_session_lookup
-- Every request's session with its account and its grants (one row per grant, the grant
-- columns NULL when there is none), in one statement; the C code orders the grants by id.
SELECT s.id AS session_id, s.csrf_token, s.last_seen_at, s.expires_at, a.id AS account_id,
	a.kind, a.username, a.full_name, a.unit_id, a.status, s.totp_enrol_only,
	g.id AS grant_id, g.role AS grant_role, g.unit_id AS grant_unit_id
FROM session s JOIN account a ON a.id = s.account_id
LEFT JOIN role_grant g ON g.account_id = a.id
WHERE s.token_hash = $1 AND s.revoked_at IS NULL;

-- name: iam_session_touch
UPDATE session SET last_seen_at = $2 WHERE id = $1 AND revoked_at IS NULL;

-- name: iam_session_revoke
UPDATE session SET revoked_at = $3 WHERE id = $1 AND account_id = $2 AND revoked_at IS NULL;

-- name: iam_sessions_revoke_account
UPDATE session SET revoked_at = $2
WHERE account_id = $1 AND id <> $3 AND revoked_at IS NULL;

-- name: iam_sessions_of
SELECT id, created_at, last_seen_at, expires_at, client_addr
FROM session
WHERE account_id = $1 AND revoked_at IS NULL AND expires_at > $2 AND last_seen_at > $3
ORDER BY id DESC
LIMIT 100;

-- name: iam_grants_of
SELECT id, role, unit_id FROM role_grant WHERE account_id = $1 ORDER BY id;

-- name: iam_account_pw
SELECT password_hash, username, personal_id, tax_code, unit_id, kind FROM account WHERE id = $1;

-- name: iam_account_set_pw
UPDATE account SET password_hash = $2, updated_at = $3, version = version + 1 WHERE id = $1;

-- name: iam_apikey_lookup
SELECT id, name, key_hash, perms, unit_id
FROM api_client
WHERE key_prefix = $1 AND revoked_at IS NULL;

-- name: iam_unit_ancestors
WITH RECURSIVE anc(id, parent_id, depth) AS (
	SELECT id, parent_id, 0 FROM org_unit WHERE id = $1
	UNION ALL
	SELECT u.id, u.parent_id, anc.depth + 1
	FROM org_unit u JOIN anc ON u.id = anc.parent_id
	WHERE anc.depth < 64
)
SELECT id FROM anc;

-- name: iam_account_taken
SELECT CASE WHEN username = CAST($1 AS TEXT) THEN 1 ELSE 0 END AS username_taken,
	CASE WHEN phone = CAST($2 AS TEXT) THEN 1 ELSE 0 END AS phone_taken,
	CASE WHEN email = CAST($3 AS TEXT) THEN 1 ELSE 0 END AS email_taken,
	CASE WHEN personal_id = CAST($4 AS TEXT) THEN 1 ELSE 0 END AS personal_id_taken,
	CASE WHEN tax_code = CAST($5 AS TEXT) THEN 1 ELSE 0 END AS tax_code_taken
FROM account
WHERE username = CAST($1 AS TEXT) OR phone = CAST($2 AS TEXT) OR email = CAST($3 AS TEXT)
	OR personal_id = CAST($4 AS TEXT) OR tax_code = CAST($5 AS TEXT)
LIMIT 5;

-- name: iam_account_insert
INSERT INTO account (kind, username, full_name, representative_name, phone, email, personal_id,
	tax_code, unit_id, password_hash, status, created_at, updated_at, version)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'active', $11, $11, 1)
RETURNING id;

-- name: iam_account_brief
SELECT id, kind, unit_id, status FROM account WHERE id = $1;

-- name: iam_account_by_username
SELECT id FROM account WHERE username = $1;

-- name: iam_account_get
SELECT id, kind, username, full_name, representative_name, phone, email, unit_id, status,
	created_at, updated_at, version, personal_id, tax_code, totp_secret, locked_at
FROM account
WHERE id = $1;

-- name: iam_account_update
UPDATE account
SET full_name = $3, email = $4, phone = $5, status = $6, updated_at = $7, version = version + 1
WHERE id = $1 AND version = $2;

-- name: iam_accounts_list
WITH RECURSIVE sc(id) AS (
	SELECT id FROM org_unit WHERE CAST($1 AS TEXT) LIKE ('% ' || CAST(id AS TEXT) || ' %')
	UNION
	SELECT u.id FROM org_unit u JOIN sc ON u.parent_id = sc.id
)
SELECT a.id, a.kind, a.username, a.full_name, a.unit_id, a.status, a.email, a.phone, a.version
FROM account a
WHERE a.kind IN ('officer', 'admin')
	AND (CAST($2 AS BIGINT) = 1 OR a.unit_id IN (SELECT id FROM sc))
	AND (CAST($3 AS TEXT) IS NULL OR LOWER(a.username) LIKE CAST($3 AS TEXT)
		OR LOWER(a.full_name) LIKE CAST($3 AS TEXT))
ORDER BY a.id
LIMIT $4 OFFSET $5;

-- name: iam_grant_insert
INSERT INTO role_grant (account_id, role, unit_id, granted_by, created_at)
VALUES ($1, $2, $3, $4, $5)
RETURNING id;

-- name: iam_grant_get
SELECT id, role, unit_id FROM role_grant WHERE id = $1 AND account_id = $2;

-- name: iam_grant_delete
DELETE FROM role_grant WHERE id = $1;

-- name: iam_api_client_insert
INSERT INTO api_client (name, key_prefix, key_hash, perms, unit_id, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING id;

-- name: iam_api_clients_list
WITH RECURSIVE sc(id) AS (
	SELECT id FROM org_unit WHERE CAST($1 AS TEXT) LIKE ('% ' || CAST(id AS TEXT) || ' %')
	UNION
	SELECT u.id FROM org_unit u JOIN sc ON u.parent_id = sc.id
)
SELECT id, name, key_prefix, perms, unit_id, created_by, created_at, revoked_at
FROM api_client
WHERE CAST($2 AS BIGINT) = 1 OR unit_id IN (SELECT id FROM sc)
ORDER BY id;

-- name: iam_api_client_get
SELECT id, unit_id, revoked_at FROM api_client WHERE id = $1;

-- name: iam_api_client_revoke
UPDATE api_client SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL;

-- name: iam_audit_head_set
-- $1 the new row's hash, $2 its chain
UPDATE audit_head SET last_hash = $1 WHERE id = $2;

-- name: iam_audit_heads
-- every chain's head: its last link and hash, and how many of its first links are hashed in
-- the first layout (rows written before chains existed)
SELECT id, last_seq, last_hash, v1_links FROM audit_head ORDER BY id;

-- name: iam_audit_chain_page
-- $1 chain, $2 after this link, $3 page size: the chain's rows in link order
SELECT seq, at, actor_id, actor_label, action, object_type, object_id, client_addr, summary,
	prev_hash, hash, link
FROM audit
WHERE chain = $1 AND link > $2
ORDER BY link
LIMIT $3;

-- name: iam_audit_unchained
-- the lowest seq of a row outside every chain (no head, or no link): 0 when none
SELECT COALESCE(MIN(seq), 0) AS seq FROM audit
WHERE link IS NULL OR chain NOT IN (SELECT id FROM audit_head);

-- name: iam_audit_page
SELECT seq, at, actor_id, actor_label, action, object_type, object_id, client_addr, summary,
	prev_hash, hash
FROM audit
WHERE seq > $1
ORDER BY seq
LIMIT $2;

-- name: iam_audit_list
WITH RECURSIVE sc(id) AS (
	SELECT id FROM org_unit WHERE CAST($1 AS TEXT) LIKE ('% ' || CAST(id AS TEXT) || ' %')
	UNION
	SELECT u.id FROM org_unit u JOIN sc ON u.parent_id = sc.id
)
SELECT au.seq, au.at, au.actor_id, au.actor_label, au.action, au.object_type, au.object_id,
	au.client_addr, au.summary, au.hash
FROM audit au
WHERE au.seq > $3
	AND (CAST($2 AS BIGINT) = 1
		OR au.actor_id IN (SELECT a.id FROM account a WHERE a.unit_id IN (SELECT id FROM sc)))
	AND (CAST($4 AS TEXT) IS NULL OR au.object_type = CAST($4 AS TEXT))
	AND (CAST($5 AS TEXT) IS NULL OR au.object_id = CAST($5 AS TEXT))
ORDER BY au.seq
LIMIT $6;

-- name: iam_actor_by_username
SELECT id, kind, username, full_name, unit_id FROM account WHERE username = $1 AND status = 'active';
