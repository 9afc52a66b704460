-- flow.sql - named queries of workflows (src/flow/flow.c). Both SQLite 3.40 and
-- PostgreSQL 15; variant_id / unit_id 0 mean "any".

-- name: flow_unit_exists
SELECT id FROM org_unit WHERE id = $1

-- name: flow_upsert
-- $1 procedure_id, $2 variant_id (0 any), $3 unit_id (0 any), $4 now
INSERT INTO flow (procedure_id, variant_id, unit_id, created_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (procedure_id, variant_id, unit_id) DO NOTHING

-- name: flow_find
SELECT id FROM flow WHERE procedure_id = $1 AND variant_id = $2 AND unit_id = $3

-- name: flow_version_insert
-- $1 flow_id, $2 now -> id, version (next number for the flow)
INSERT INTO flow_version (flow_id, version, published_at)
VALUES ($1, (SELECT COALESCE(MAX(v.version), 0) + 1 FROM flow_version v WHERE v.flow_id = $1), $2)
RETURNING id, version

-- name: flow_step_insert
-- $1 version id, $2 ord, $3 kind, $4 role, $5 unit_rel, $6 unit_id or NULL, $7 hours
INSERT INTO flow_step (flow_version_id, ord, kind, role, unit_rel, unit_id, hours)
VALUES ($1, $2, $3, $4, $5, $6, $7)

-- name: flow_steps
SELECT ord, kind, role, unit_rel, unit_id, hours FROM flow_step
WHERE flow_version_id = $1 ORDER BY ord

-- name: flow_resolve
-- The (up to four) flows that may apply to procedure $1, variant $2, unit $3, each with its
-- latest version (NULL before the first): ts_flow_resolve picks the most specific in C. No
-- ORDER BY over the join: each latest version is one backward step on UNIQUE (flow_id,
-- version), so SQLite builds no temporary B-tree per submission.
SELECT f.variant_id, f.unit_id,
       (SELECT v.id FROM flow_version v WHERE v.flow_id = f.id
        ORDER BY v.version DESC LIMIT 1) AS version_id
FROM flow f
WHERE f.procedure_id = $1
  AND f.variant_id IN (CAST($2 AS BIGINT), 0)
  AND f.unit_id IN (CAST($3 AS BIGINT), 0)

-- name: flow_procedure_id
SELECT id FROM procedure WHERE code = $1

-- name: flow_versions_of
-- Every published version of procedure $1's flows, most specific flows first, newest first.
SELECT f.variant_id, f.unit_id, v.id, v.version, v.published_at
FROM flow f JOIN flow_version v ON v.flow_id = f.id
WHERE f.procedure_id = $1
ORDER BY f.variant_id DESC, f.unit_id DESC, v.version DESC
