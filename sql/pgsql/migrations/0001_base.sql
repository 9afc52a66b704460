-- 0001_base (PostgreSQL): platform tables every module relies on.
-- Timestamps are BIGINT unix seconds; booleans INTEGER 0/1.

-- Idempotency-Key of a mutating request: a retried request returns the first answer.
-- status/response stay NULL while the first request is still being processed.
CREATE TABLE idempotency_key (
	key TEXT NOT NULL,
	actor TEXT NOT NULL,
	route TEXT NOT NULL,
	request_hash TEXT NOT NULL,
	status INTEGER,
	response TEXT,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (actor, key)
);
CREATE INDEX idempotency_key_created_at ON idempotency_key (created_at);

-- Named sequences (e.g. per-unit per-day dossier codes), incremented inside the
-- transaction that uses the value, so a value is never handed out twice.
CREATE TABLE sequence_counter (
	name TEXT NOT NULL PRIMARY KEY,
	value BIGINT NOT NULL CHECK (value >= 0)
);
