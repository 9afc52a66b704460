-- iam.sql (SQLite): the audit chain's head. One writer: one chain (audit_head id 1), and a
-- row's global seq is its link in that chain.

-- name: iam_audit_head_next
-- The head row is the chain's lock (SQLite's single writer serialises anyway). Returns the
-- chain, the new link, the previous row's hash (last_hash is updated after the insert) and
-- the row's seq.
UPDATE audit_head SET last_seq = last_seq + 1 WHERE id = 1
RETURNING id AS chain, last_seq AS link, last_hash, last_seq AS seq;

-- name: iam_audit_insert
-- $1 seq, $2.. the row's fields, $11 its hash, $12 its chain, $13 its link in the chain
INSERT INTO audit (seq, at, actor_id, actor_label, action, object_type, object_id, client_addr,
	summary, prev_hash, hash, chain, link)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13);
