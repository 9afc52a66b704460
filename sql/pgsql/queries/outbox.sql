-- outbox.sql (PostgreSQL) - the dispatcher's claim (src/outbox/outbox.c). Several nodes
-- claim at once: rows another node is claiming are skipped (FOR UPDATE SKIP LOCKED), and a
-- claimed message keeps status 'pending', so later messages of its key stay behind it.

-- name: outbox_claim
-- $1 now, $2 node, $3 lease until, $4 limit, $5 topic LIKE pattern
UPDATE outbox SET claimed_by = $2, claimed_until = $3, attempts = attempts + 1
WHERE id IN (
    SELECT o.id FROM outbox o
    WHERE o.status = 'pending' AND o.next_attempt_at <= CAST($1 AS BIGINT)
      AND (o.claimed_until IS NULL OR o.claimed_until < CAST($1 AS BIGINT))
      AND o.topic LIKE CAST($5 AS TEXT)
      AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.key = o.key AND e.id < o.id
                      AND e.status IN ('pending', 'dead'))
    ORDER BY o.id LIMIT CAST($4 AS BIGINT)
    FOR UPDATE SKIP LOCKED)
  AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < CAST($1 AS BIGINT))
RETURNING id, topic, key, payload, attempts, created_at
