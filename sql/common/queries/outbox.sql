-- outbox.sql - delivery state of outbox messages (src/outbox/outbox.c), the admin view and
-- the sources of the national-portal messages (src/dvcqg/dvcqg.c). The claim differs per
-- dialect (sql/{sqlite,pgsql}/queries/outbox.sql).

-- name: outbox_delivered
-- $1 id, $2 now, $3 latency ms (created -> delivered)
UPDATE outbox SET status = 'delivered', done_at = $2, delivered_ms = $3, last_error = NULL,
    claimed_by = NULL, claimed_until = NULL
WHERE id = $1 AND status = 'pending'

-- name: outbox_retry_later
-- $1 id, $2 next attempt at, $3 error
UPDATE outbox SET next_attempt_at = $2, last_error = $3, claimed_by = NULL, claimed_until = NULL
WHERE id = $1 AND status = 'pending'

-- name: outbox_dead
-- $1 id, $2 error
UPDATE outbox SET status = 'dead', last_error = $2, claimed_by = NULL, claimed_until = NULL
WHERE id = $1 AND status = 'pending'

-- name: outbox_release_node
-- $1 node: a node that starts holds nothing in flight, so its old leases are void
UPDATE outbox SET claimed_by = NULL, claimed_until = NULL
WHERE claimed_by = $1 AND status = 'pending'

-- name: outbox_list
-- $1 status or NULL, $2 key or NULL, $3 after id (0 = first page), $4 limit, $5 topic prefix or NULL
SELECT id, topic, key, payload, status, attempts, next_attempt_at, done_at, last_error,
       claimed_by, claimed_until, delivered_ms, replay_of, created_at
FROM outbox
WHERE (CAST($1 AS TEXT) IS NULL OR status = CAST($1 AS TEXT))
  AND (CAST($2 AS TEXT) IS NULL OR key = CAST($2 AS TEXT))
  AND (CAST($5 AS TEXT) IS NULL OR topic LIKE CAST($5 AS TEXT))
  AND id > CAST($3 AS BIGINT)
ORDER BY id LIMIT CAST($4 AS BIGINT)

-- name: outbox_get
SELECT id, topic, key, payload, status, attempts, next_attempt_at, done_at, last_error,
       claimed_by, claimed_until, delivered_ms, replay_of, created_at
FROM outbox WHERE id = $1

-- name: outbox_retry
-- $1 id, $2 now: a dead message is tried again from the start
UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $2, claimed_by = NULL,
    claimed_until = NULL
WHERE id = $1 AND status = 'dead'

-- name: outbox_replay
-- $1 id, $2 now: a delivered message is sent again as a new message at the end of its key
INSERT INTO outbox (topic, key, payload, attempts, next_attempt_at, created_at, status, replay_of)
SELECT topic, key, payload, 0, $2, $2, 'pending', id FROM outbox WHERE id = $1 AND status = 'delivered'
RETURNING id

-- name: outbox_health
-- $1 now, $2 topic LIKE pattern: queue depth, dead letters, age of the oldest undelivered message
SELECT
  (SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND topic LIKE CAST($2 AS TEXT)) AS pending,
  (SELECT COUNT(*) FROM outbox WHERE status = 'dead' AND topic LIKE CAST($2 AS TEXT)) AS dead,
  (SELECT COALESCE(CAST($1 AS BIGINT) - MIN(created_at), 0) FROM outbox
   WHERE status = 'pending' AND topic LIKE CAST($2 AS TEXT)) AS oldest_age

-- name: outbox_enqueue
-- $1 topic, $2 key, $3 payload, $4 now
INSERT INTO outbox (topic, key, payload, attempts, next_attempt_at, created_at, status)
VALUES ($1, $2, $3, 0, $4, $4, 'pending')

-- name: dvcqg_dossier
-- $1 code: the dossier with its units' agency codes and names and its national code
SELECT d.id, d.code, d.procedure_code, d.procedure_name, d.channel, d.delivery, d.status,
       d.applicant_name, d.submitted_at, d.accepted_at, d.due_at, d.current_due_at,
       d.original_due_at, d.ended_at, d.delivered_at, d.supplement_count, d.on_time,
       ru.code AS receiving_code, ru.name AS receiving_name,
       cu.code AS competent_code, cu.name AS competent_name,
       COALESCE((SELECT a.alias FROM dossier_code_alias a WHERE a.dossier_id = d.id
                 AND a.system = 'dvcqg' LIMIT 1),
                -- until the alias is written (just after the intake's transaction), the
                -- intake's idempotency key "dvcqg:<national code>" written in the same
                -- transaction as the dossier and its first message names it
                (SELECT substr(k.key, 7) FROM idempotency_key k
                 WHERE k.route = 'dvcqg.intake' AND k.response = d.code LIMIT 1)) AS national_code,
       d.flow_version_id
FROM dossier d
JOIN org_unit ru ON ru.id = d.receiving_unit_id
JOIN org_unit cu ON cu.id = d.competent_unit_id
WHERE d.code = $1

-- name: dvcqg_event
-- $1 dossier id, $2 at: the events of the transition a message announces (one transaction
-- may write several: accept then the hand-over to the first step), with the step each left
-- (kind, role, unit) and the acting account's name
SELECT e.id, e.at, e.actor_label, e.action, e.from_status, e.to_status, e.step, e.to_step,
       e.step_started_at, e.step_due_at, e.reason, e.items, e.result,
       s.kind AS step_kind, s.role AS step_role, s.unit_rel, s.unit_id AS step_unit_id,
       ac.full_name AS actor_name, su.code AS step_unit_code, su.name AS step_unit_name
FROM dossier_event e
JOIN dossier d ON d.id = e.dossier_id
LEFT JOIN flow_step s ON s.flow_version_id = d.flow_version_id AND s.ord = e.step
LEFT JOIN org_unit su ON su.id = s.unit_id
LEFT JOIN account ac ON ac.id = e.actor_account_id
WHERE e.dossier_id = $1 AND e.at = $2
ORDER BY e.id

-- name: dvcqg_next_message
-- $1 key, $2 id: the next message of the dossier (its "from" is the status this one left)
SELECT payload FROM outbox
WHERE key = $1 AND id > $2 AND topic LIKE 'dossier.%' AND replay_of IS NULL
ORDER BY id LIMIT 1

-- name: dvcqg_alias_find
-- $1 national code
SELECT d.code FROM dossier_code_alias a JOIN dossier d ON d.id = a.dossier_id
WHERE a.system = 'dvcqg' AND a.alias = $1

-- name: dvcqg_result_files
-- $1 dossier id: result files (component = result code) sent as references, not content
SELECT df.id, df.component, df.name, f.sha256, f.size, f.mime
FROM dossier_file df JOIN file f ON f.id = df.file_id
WHERE df.dossier_id = $1 AND df.kind = 'result' AND df.removed_at IS NULL
ORDER BY df.id

-- name: dvcqg_unit_by_code
SELECT id FROM org_unit WHERE code = $1

-- name: notify_source
-- $1 code: what a citizen notification needs: name, phone, e-mail of the account, procedure,
-- appointment
SELECT d.code, d.applicant_name, d.applicant_phone, ac.email, d.procedure_name, d.status,
       d.current_due_at, d.due_at, d.id
FROM dossier d LEFT JOIN account ac ON ac.id = d.applicant_account_id
WHERE d.code = $1

-- name: notify_reason
-- $1 dossier id, $2 at, $3 action
SELECT reason FROM dossier_event WHERE dossier_id = $1 AND at = $2 AND action = $3
ORDER BY id DESC LIMIT 1

-- name: notify_template_get
SELECT event, channel, subject, body, updated_at FROM notify_template

-- name: notify_template_put
-- $1 event, $2 channel, $3 subject, $4 body, $5 now
INSERT INTO notify_template (event, channel, subject, body, updated_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (event, channel) DO UPDATE SET subject = excluded.subject, body = excluded.body,
    updated_at = excluded.updated_at

-- name: notify_sent_list
SELECT channel FROM notify_sent WHERE outbox_id = $1

-- name: notify_sent_put
INSERT INTO notify_sent (outbox_id, channel, sent_at) VALUES ($1, $2, $3)
ON CONFLICT (outbox_id, channel) DO NOTHING

-- name: identity_mark
-- $1 dossier id, $2 now, $3 who
INSERT INTO dossier_population_use (dossier_id, marked_at, marked_by) VALUES ($1, $2, $3)
ON CONFLICT (dossier_id) DO NOTHING

-- name: identity_marked
SELECT marked_at, marked_by FROM dossier_population_use WHERE dossier_id = $1
