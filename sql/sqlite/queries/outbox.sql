-- outbox.sql (SQLite) - the dispatcher's claim (src/outbox/outbox.c). One node writes at a
-- time on SQLite (single writer), so the UPDATE ... RETURNING is the whole lease.

-- name: outbox_claim
-- $1 now, $2 node, $3 lease until, $4 limit, $5 topic LIKE pattern
-- Claims due messages that are the oldest undelivered one of their key (per-dossier order:
-- a message waits while an earlier one of the same key is pending or dead).
UPDATE outbox SET claimed_by = $2, claimed_until = $3, attempts = attempts + 1
WHERE id IN (
    SELECT o.id FROM outbox o
    WHERE o.status = 'pending' AND o.next_attempt_at <= $1
      AND (o.claimed_until IS NULL OR o.claimed_until < $1)
      AND o.topic LIKE $5
      AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.key = o.key AND e.id < o.id
                      AND e.status IN ('pending', 'dead'))
    ORDER BY o.id LIMIT $4)
RETURNING id, topic, key, payload, attempts, created_at
