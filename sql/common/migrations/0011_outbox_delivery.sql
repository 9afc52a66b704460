-- 0011_outbox_delivery - delivery state of outbox messages (issue 7, src/outbox): status
-- (pending, delivered, dead), the last error, the lease of the node delivering it, the
-- latency of the delivery and, for a replayed copy, the message it repeats.
ALTER TABLE outbox ADD COLUMN status TEXT NOT NULL DEFAULT 'pending';
ALTER TABLE outbox ADD COLUMN last_error TEXT;
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claimed_until BIGINT;
ALTER TABLE outbox ADD COLUMN delivered_ms BIGINT;
ALTER TABLE outbox ADD COLUMN replay_of BIGINT;
UPDATE outbox SET status = 'delivered' WHERE done_at IS NOT NULL;
-- per-key order: "is an earlier message of this key still undelivered?"
CREATE INDEX outbox_key_idx ON outbox (key, id);
CREATE INDEX outbox_status_idx ON outbox (status, next_attempt_at, id);
