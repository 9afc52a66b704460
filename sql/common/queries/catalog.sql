-- catalog.sql - named queries of the procedure catalogue (src/catalog/catalog.c). Accepted
-- by SQLite 3.40 and PostgreSQL 15: untyped parameters are CAST, dates are 'YYYY-MM-DD'
-- text compared as text, JSON columns are plain text written and read by the C code.

-- name: catalog_proc_by_code
-- $1 code -> the procedure with its current version's number, valid_from and content hash
SELECT p.id, p.current_version_id, v.version_no, v.valid_from, v.content_hash
FROM procedure p LEFT JOIN procedure_version v ON v.id = p.current_version_id
WHERE p.code = $1

-- name: catalog_proc_insert
-- $1 code, $2 name, $3 field_code, $4 field_name, $5 online_level, $6 search_text, $7 now
INSERT INTO procedure (code, name, field_code, field_name, online_level, search_text,
                       created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
RETURNING id

-- name: catalog_proc_set_current
-- $1 id, $2 version id, $3 name, $4 field_code, $5 field_name, $6 online_level,
-- $7 search_text, $8 now
UPDATE procedure
SET current_version_id = $2, name = $3, field_code = $4, field_name = $5, online_level = $6,
    search_text = $7, updated_at = $8
WHERE id = $1

-- name: catalog_version_close
-- $1 version id, $2 valid_to (the next version's valid_from)
UPDATE procedure_version SET valid_to = $2 WHERE id = $1 AND valid_to IS NULL

-- name: catalog_version_insert
-- $1 procedure_id, $2 version_no, $3 valid_from, $4 name, $5 field_code, $6 field_name,
-- $7 levels (JSON), $8 kind, $9 target_groups (JSON), $10 online_level,
-- $11 next_day_after_cutoff, $12 legal_basis, $13 implementing_agency,
-- $14 competent_agency, $15 results (JSON), $16 fees (JSON), $17 content_hash, $18 now
INSERT INTO procedure_version (procedure_id, version_no, valid_from, name, field_code,
    field_name, levels, kind, target_groups, online_level, next_day_after_cutoff,
    legal_basis, implementing_agency, competent_agency, results, fees, content_hash,
    created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
RETURNING id

-- name: catalog_variant_insert
-- $1 version_id, $2 code, $3 name, $4 is_default, $5 no_due_date, $6 form_fields (JSON or
-- NULL), $7 ord
INSERT INTO procedure_variant (version_id, code, name, is_default, no_due_date, form_fields, ord)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING id

-- name: catalog_time_insert
-- $1 variant_id, $2 channel 1..3, $3 amount, $4 unit
INSERT INTO variant_time (variant_id, channel, amount, unit) VALUES ($1, $2, $3, $4)

-- name: catalog_doc_insert
-- $1 variant_id, $2 code, $3 name, $4 originals, $5 copies, $6 required, $7 template_file,
-- $8 ord
INSERT INTO variant_document (variant_id, code, name, originals, copies, required,
                              template_file, ord)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)

-- name: catalog_units_clear
DELETE FROM procedure_unit WHERE procedure_id = $1

-- name: catalog_unit_link
-- $1 procedure_id, $2 unit_id
INSERT INTO procedure_unit (procedure_id, unit_id) VALUES ($1, $2)

-- name: catalog_unit_id_by_code
SELECT id FROM org_unit WHERE code = $1

-- name: catalog_version_get
-- $1 version id -> the version with its procedure's id and code
SELECT v.id, v.procedure_id, p.code, v.version_no, v.valid_from, v.valid_to, v.name,
       v.field_code, v.field_name, v.levels, v.kind, v.target_groups, v.online_level,
       v.next_day_after_cutoff, v.legal_basis, v.implementing_agency, v.competent_agency,
       v.results, v.fees, v.content_hash, v.created_at
FROM procedure_version v JOIN procedure p ON p.id = v.procedure_id
WHERE v.id = $1

-- name: catalog_current_version
-- $1 procedure code -> current version id (NULL before the first version)
SELECT current_version_id FROM procedure WHERE code = $1

-- name: catalog_variants_of
-- $1 version id
SELECT id, code, name, is_default, no_due_date, form_fields
FROM procedure_variant WHERE version_id = $1
ORDER BY ord, id

-- name: catalog_times_of
-- $1 version id
SELECT t.variant_id, t.channel, t.amount, t.unit
FROM variant_time t JOIN procedure_variant pv ON pv.id = t.variant_id
WHERE pv.version_id = $1
ORDER BY t.variant_id, t.channel

-- name: catalog_docs_of
-- $1 version id
SELECT d.variant_id, d.id, d.code, d.name, d.originals, d.copies, d.required, d.template_file
FROM variant_document d JOIN procedure_variant pv ON pv.id = d.variant_id
WHERE pv.version_id = $1
ORDER BY d.variant_id, d.ord, d.id

-- name: catalog_units_of
-- $1 procedure id
SELECT u.id, u.code, u.name
FROM procedure_unit pu JOIN org_unit u ON u.id = pu.unit_id
WHERE pu.procedure_id = $1
ORDER BY u.code

-- name: catalog_unit_offers
-- $1 procedure id, $2 unit id -> n > 0 when the unit or one of its ancestors offers it
WITH RECURSIVE anc(id, depth) AS (
    SELECT id, 0 FROM org_unit WHERE id = CAST($2 AS BIGINT)
    UNION ALL
    SELECT o.parent_id, a.depth + 1 FROM org_unit o JOIN anc a ON o.id = a.id
    WHERE o.parent_id IS NOT NULL AND a.depth < 64
)
SELECT COUNT(*) AS n FROM procedure_unit
WHERE procedure_id = $1 AND unit_id IN (SELECT id FROM anc)

-- name: catalog_search
-- Candidates for a search by testing every current procedure (the plain scan: no word of 3
-- or more characters to look up in the index, see catalog_search_fts); ranking is done in C
-- over id, code and search_text, and catalog_search_rows reads the page's rows. $1..$6 LIKE
-- patterns over search_text (folded words, '\' escapes; NULL = no condition), $7 field (name
-- or code) or NULL, $8 unit id or NULL (offered by that unit or an ancestor), $9 row cap (the
-- first candidates by id: the ranking sorts them).
-- include: catalog_search_units
SELECT p.id, p.code, p.search_text
FROM procedure p
WHERE p.current_version_id IS NOT NULL
  -- include: catalog_search_words
  -- include: catalog_search_scope
ORDER BY p.id
LIMIT CAST($9 AS BIGINT)

-- name: catalog_codes
-- every procedure with a current version, by code (export)
SELECT id, code, current_version_id FROM procedure
WHERE current_version_id IS NOT NULL
ORDER BY code

-- name: catalog_demo_link_communes
-- Demo rule: a procedure published at commune level ("Cấp xã") with no offering unit yet is
-- offered by every commune, ward and special zone.
INSERT INTO procedure_unit (procedure_id, unit_id)
SELECT p.id, u.id
FROM procedure p
JOIN procedure_version v ON v.id = p.current_version_id
JOIN org_unit u ON u.kind IN ('commune', 'ward', 'special_zone')
WHERE v.levels LIKE '%Cấp xã%'
  AND NOT EXISTS (SELECT 1 FROM procedure_unit pu WHERE pu.procedure_id = p.id)

-- name: catalog_demo_link_rest
-- Demo rule: any other procedure with no offering unit is offered province-wide (linked to
-- the root People's Committee, so every unit below it offers it).
INSERT INTO procedure_unit (procedure_id, unit_id)
SELECT p.id, u.id
FROM procedure p
JOIN org_unit u ON u.kind = 'province_pc' AND u.parent_id IS NULL
WHERE NOT EXISTS (SELECT 1 FROM procedure_unit pu WHERE pu.procedure_id = p.id)

-- name: catalog_fields
-- fields of the current catalogue with their procedure counts (browsing by field)
SELECT field_name, MIN(field_code), COUNT(*) FROM procedure
WHERE current_version_id IS NOT NULL AND field_name IS NOT NULL AND field_name <> ''
GROUP BY field_name
ORDER BY field_name

-- name: catalog_versions_of
-- $1 procedure code -> every version, newest first, and which one is current
SELECT v.id, v.version_no, v.valid_from, v.valid_to, v.name, v.content_hash, v.created_at,
    CASE WHEN p.current_version_id = v.id THEN 1 ELSE 0 END AS is_current
FROM procedure p JOIN procedure_version v ON v.procedure_id = p.id
WHERE p.code = $1
ORDER BY v.version_no DESC
