-- 0013_rate_limit: request counters of the abuse limits (src/app/ratelimit.c), one row per
-- (limit, subject, fixed window). In the store, not in memory, so that every node behind the
-- balancer counts against the same numbers. subject is a SHA-256 of the client address or
-- account, never the value itself.
CREATE TABLE rate_limit (
    bucket       TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    window_start BIGINT  NOT NULL,
    hits         INTEGER NOT NULL,
    PRIMARY KEY (bucket, subject, window_start)
);
CREATE INDEX rate_limit_window ON rate_limit (window_start);
