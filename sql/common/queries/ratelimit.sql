-- ratelimit.sql - counters of the abuse limits (src/app/ratelimit.c).

-- name: ratelimit_hit
INSERT INTO rate_limit (bucket, subject, window_start, hits) VALUES ($1, $2, $3, 1)
ON CONFLICT (bucket, subject, window_start) DO UPDATE SET hits = rate_limit.hits + 1
RETURNING hits;

-- name: ratelimit_prune
DELETE FROM rate_limit WHERE window_start < $1;

-- A node's hits counted in memory since its last sync, added at once; answers the total of
-- every node.
-- name: ratelimit_add
INSERT INTO rate_limit (bucket, subject, window_start, hits) VALUES ($1, $2, $3, $4)
ON CONFLICT (bucket, subject, window_start) DO UPDATE SET hits = rate_limit.hits + EXCLUDED.hits
RETURNING hits;
