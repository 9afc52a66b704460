-- forms.sql - named queries of the printed forms and registers (src/forms/forms.c).

-- name: forms_account_name
SELECT full_name FROM account WHERE id = $1

-- name: forms_register
-- $1 unit subtree root, $2 received from (unix seconds, inclusive), $3 to (exclusive),
-- $4 row limit: the dossier register (sổ theo dõi hồ sơ) of the subtree, oldest first
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = $1
    UNION ALL
    SELECT c.id, s.depth + 1 FROM org_unit c JOIN sub s ON c.parent_id = s.id WHERE s.depth < 64
)
SELECT d.code, d.procedure_code, d.procedure_name, d.applicant_name, d.form_data,
    cu.name AS competent_name, d.submitted_at, d.accepted_at, d.due_at, d.current_due_at,
    d.ended_at, d.delivered_at, d.status, d.on_time, d.channel
FROM dossier d JOIN org_unit cu ON cu.id = d.competent_unit_id
WHERE (d.receiving_unit_id IN (SELECT id FROM sub) OR d.competent_unit_id IN (SELECT id FROM sub))
  AND d.submitted_at >= $2 AND d.submitted_at < $3
ORDER BY d.submitted_at, d.id
LIMIT $4
