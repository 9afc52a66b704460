-- iam.sql (PostgreSQL): the audit chains' heads.

-- name: iam_audit_head_next
-- The head of this connection's chain (slot + 1, tinhso.slot in src/db/db.h; created at its
-- first use) is that chain's lock: the row lock is held until the commit is flushed, so
-- transactions on other connections append to their own chains meanwhile. Returns the chain,
-- the new link, the previous row's hash (last_hash is updated after the insert: a new head
-- returns the 64 zeros) and the row's seq, from the generator of audit.id: unique, in the
-- order the rows were begun, with gaps where a transaction rolled back.
INSERT INTO audit_head (id, last_seq, last_hash, v1_links)
VALUES (CAST(current_setting('tinhso.slot') AS INTEGER) + 1, 1,
	'0000000000000000000000000000000000000000000000000000000000000000', 0)
ON CONFLICT (id) DO UPDATE SET last_seq = audit_head.last_seq + 1
RETURNING id AS chain, last_seq AS link, last_hash, nextval(pg_get_serial_sequence('audit', 'id')) AS seq;

-- name: iam_audit_insert
-- $1 seq (taken from audit.id's generator by iam_audit_head_next: the row's id too), $2.. the
-- row's fields, $11 its hash, $12 its chain, $13 its link in the chain
INSERT INTO audit (id, seq, at, actor_id, actor_label, action, object_type, object_id,
	client_addr, summary, prev_hash, hash, chain, link)
OVERRIDING SYSTEM VALUE
VALUES ($1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13);
