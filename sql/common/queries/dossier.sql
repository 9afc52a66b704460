-- dossier.sql - named queries of dossiers (src/dossier/dossier.c). Both SQLite 3.40 and
-- PostgreSQL 15: timestamps BIGINT unix seconds, 0/NULL for "not yet"; parameters whose
-- type cannot be inferred are CAST.

-- name: dossier_insert
INSERT INTO dossier (code, procedure_id, procedure_version_id, variant_id, procedure_code,
    procedure_name, flow_version_id, legal_hours, time_amount, time_unit,
    next_day_after_cutoff, no_due_date, received_unit_id, receiving_unit_id,
    competent_unit_id, applicant_account_id, applicant_name, applicant_phone,
    applicant_id_last4, channel, delivery, status, current_step, step_started_at, step_due_at,
    submitted_at, form_data, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
    $20, $21, $22, $23, $24, $25, $26, $27, $26, $26)
RETURNING id

-- name: dossier_get
-- $1 code or alias
SELECT * FROM dossier
WHERE code = $1 OR id = (SELECT a.dossier_id FROM dossier_code_alias a WHERE a.alias = $1 LIMIT 1)

-- name: dossier_update
-- $1 id, $2 expected version, then the mutable fields; changes 0 rows when stale.
UPDATE dossier SET status = $3, resume_status = $4, current_step = $5, step_started_at = $6,
    step_due_at = $7, assignee_account_id = $8, accepted_at = $9, due_at = $10,
    current_due_at = $11, original_due_at = $12, ended_at = $13, delivered_at = $14,
    paused_seconds = $15, paused_since = $16, supplement_count = $17, apology_count = $18,
    on_time = $19, rating = $20, comment = $21, delivery = $22, version = version + 1,
    updated_at = $23
WHERE id = $1 AND version = $2

-- name: dossier_event_insert
INSERT INTO dossier_event (dossier_id, at, actor_account_id, actor_label, action, from_status,
    to_status, step, to_step, receiver_account_id, step_started_at, step_due_at, handed_at,
    result, reason, items)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)

-- name: dossier_events
SELECT id, at, actor_account_id, actor_label, action, from_status, to_status, step, to_step,
    receiver_account_id, step_started_at, step_due_at, handed_at, result, reason, items
FROM dossier_event WHERE dossier_id = $1 ORDER BY id

-- name: dossier_doc_insert
INSERT INTO dossier_document (dossier_id, doc_code, name, originals, copies, digitised, reused)
VALUES ($1, $2, $3, $4, $5, $6, $7)

-- name: dossier_docs
SELECT doc_code, name, originals, copies, digitised, reused FROM dossier_document
WHERE dossier_id = $1 ORDER BY doc_code

-- name: dossier_outbox_insert
-- $1 topic, $2 key, $3 payload, $4 now
INSERT INTO outbox (topic, key, payload, attempts, next_attempt_at, created_at)
VALUES ($1, $2, $3, 0, $4, $4)

-- name: dossier_unit_ancestors
WITH RECURSIVE anc(id, parent_id, depth) AS (
    SELECT id, parent_id, 0 FROM org_unit WHERE id = $1
    UNION ALL
    SELECT u.id, u.parent_id, anc.depth + 1 FROM org_unit u JOIN anc ON u.id = anc.parent_id
    WHERE anc.depth < 64
)
SELECT id FROM anc

-- name: dossier_unit_names
-- $1..$3 unit ids (repeats allowed): one row per distinct existing unit
SELECT id, name FROM org_unit WHERE id IN ($1, $2, $3)

-- name: dossier_alias_insert
-- $1 alias, $2 system, $3 dossier id, $4 now
INSERT INTO dossier_code_alias (alias, system, dossier_id, created_at) VALUES ($1, $2, $3, $4)

-- Work queues (src/dossier/queue.c picks one query per view). Every queue query takes the
-- same parameters: $1 unit subtree root (0 = everywhere), $2 applicant (0 any), $3 status,
-- $4 step, $5 assignee, $6 procedure, $7 due_before, $8 overdue flag, $9 now, $10 q (lower
-- case; code prefix or applicant name) or NULL, $11/$12 cursor (sort key, id: rows after
-- it), $13 limit, $14 due_after (open dossiers due at or after it; 0 = any), $15 code
-- prefix (lower case) or NULL, $16 the largest sort key wanted. Sort key: current due, no
-- due last (9223372036854775807), then id. Each view's leading condition matches an index
-- (migrations 0006, 0017) in that order, so a page is an index range that stops at the
-- limit; the other filters are checked on the rows of that range. The cursor and $16 are
-- written as plain comparisons on the key so that both engines use them as the range.
-- name: dossier_queue_applicant
-- "my dossiers": dossier_q_applicant_idx
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT x.* FROM dossier x
WHERE x.applicant_account_id = CAST($2 AS BIGINT)
  -- include: queue_scope_filters
ORDER BY COALESCE(x.current_due_at, 9223372036854775807), x.id
LIMIT $13

-- name: dossier_queue_assignee
-- "assigned to": dossier_q_assignee_idx
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT x.* FROM dossier x
WHERE x.assignee_account_id = CAST($5 AS BIGINT)
  -- include: queue_scope_filters
ORDER BY COALESCE(x.current_due_at, 9223372036854775807), x.id
LIMIT $13

-- name: dossier_queue_status
-- one status everywhere ($1 = 0): dossier_q_status_idx
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT x.* FROM dossier x
WHERE x.status = CAST($3 AS BIGINT)
  -- include: queue_scope_filters
ORDER BY COALESCE(x.current_due_at, 9223372036854775807), x.id
LIMIT $13

-- name: dossier_queue
-- everything ($1 = 0): dossier_q_all_idx
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT x.* FROM dossier x
WHERE 1 = 1
  -- include: queue_scope_filters
ORDER BY COALESCE(x.current_due_at, 9223372036854775807), x.id
LIMIT $13

-- name: dossier_applicant_phone
-- $1 account id: the contact phone an online submission defaults to
SELECT phone FROM account WHERE id = $1

-- name: dossier_account_holds_role
-- Does active account $1 hold role $2 over unit $3 (a grant on it, an ancestor, or everywhere)?
WITH RECURSIVE anc(id, parent_id, depth) AS (
    SELECT id, parent_id, 0 FROM org_unit WHERE id = $3
    UNION ALL
    SELECT u.id, u.parent_id, anc.depth + 1 FROM org_unit u JOIN anc ON u.id = anc.parent_id
    WHERE anc.depth < 64
)
SELECT 1 FROM role_grant g JOIN account a ON a.id = g.account_id
WHERE g.account_id = $1 AND g.role = $2 AND a.status = 'active'
  AND (g.unit_id IS NULL OR g.unit_id IN (SELECT id FROM anc))
LIMIT 1

-- Queue counts (ts_dossier_queue_counts): $1 unit subtree root (0 = everywhere), the queue's
-- own parameter(s), then the cap. Each count is the dossiers of the subtree's units by
-- competent unit, plus those by receiving unit whose competent unit lies outside it (each
-- dossier once), read from indexes that lead with the unit (migration 0017: the receiving
-- side's indexes carry the competent unit, so the check needs no table row); or everywhere
-- when $1 = 0. Each stops at the cap ("at least"), so a count is a bounded index range.
-- name: dossier_count_status
-- $2 status, $3 cap
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT COUNT(*) FROM (
    SELECT 1 FROM dossier x WHERE CAST($1 AS BIGINT) = 0 AND x.status = CAST($2 AS BIGINT)
    UNION ALL
    SELECT 1 FROM dossier x WHERE x.competent_unit_id IN (SELECT id FROM sub)
        AND x.status = CAST($2 AS BIGINT)
    UNION ALL
    SELECT 1 FROM dossier x WHERE x.receiving_unit_id IN (SELECT id FROM sub)
        AND x.status = CAST($2 AS BIGINT) AND x.competent_unit_id NOT IN (SELECT id FROM sub)
    LIMIT $3) t

-- name: dossier_count_all
-- $2 cap
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT COUNT(*) FROM (
    SELECT 1 FROM dossier x WHERE CAST($1 AS BIGINT) = 0
    UNION ALL
    SELECT 1 FROM dossier x WHERE x.competent_unit_id IN (SELECT id FROM sub)
    UNION ALL
    SELECT 1 FROM dossier x WHERE x.receiving_unit_id IN (SELECT id FROM sub)
        AND x.competent_unit_id NOT IN (SELECT id FROM sub)
    LIMIT $2) t

-- name: dossier_eligible_officers
-- $1 role name, $2 the step's unit, $3 limit: active accounts holding the role on the unit,
-- an ancestor or everywhere (the rule of dossier_account_holds_role)
WITH RECURSIVE anc(id, parent_id, depth) AS (
    SELECT id, parent_id, 0 FROM org_unit WHERE id = $2
    UNION ALL
    SELECT u.id, u.parent_id, anc.depth + 1 FROM org_unit u JOIN anc ON u.id = anc.parent_id
    WHERE anc.depth < 64
)
SELECT a.id, a.full_name, a.username, a.unit_id, u.name FROM account a
LEFT JOIN org_unit u ON u.id = a.unit_id
WHERE a.status = 'active' AND a.id IN (
    SELECT g.account_id FROM role_grant g
    WHERE g.role = $1 AND (g.unit_id IS NULL OR g.unit_id IN (SELECT id FROM anc)))
ORDER BY a.full_name, a.id
LIMIT $3

-- name: dossier_person_by_number
-- $1 personal ID number or tax code: the citizen or business account holding it
SELECT id, kind, full_name, phone, email FROM account
WHERE (personal_id = $1 OR tax_code = $1) AND kind IN ('citizen', 'business')
  AND status = 'active'
LIMIT 1

-- name: dossier_person_dossiers
-- $1 applicant account: the latest dossiers (dossier_q_applicant_idx), newest first
SELECT code, procedure_code, procedure_name, applicant_name, applicant_phone, status,
    submitted_at, received_unit_id, receiving_unit_id, competent_unit_id
FROM dossier WHERE applicant_account_id = $1
ORDER BY id DESC
LIMIT 20

-- name: dossier_view_insert
-- $1 dossier id, $2 now, $3 account id (NULL), $4 API client id (NULL)
INSERT INTO dossier_view (dossier_id, viewed_at, account_id, api_client_id)
VALUES ($1, $2, $3, $4)

-- name: dossier_view_list
-- $1 dossier id: newest first, with the officer's name and unit (or the API client's name)
SELECT v.viewed_at, a.full_name, u.name, c.name, a.kind
FROM dossier_view v
LEFT JOIN account a ON a.id = v.account_id
LEFT JOIN org_unit u ON u.id = a.unit_id
LEFT JOIN api_client c ON c.id = v.api_client_id
WHERE v.dossier_id = $1
ORDER BY v.viewed_at DESC
LIMIT 500
