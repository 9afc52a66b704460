-- dossier_queue_filters.sql: the filters every work-queue query applies to a candidate row x
-- (parameters in sql/common/queries/dossier.sql), spliced by tools/sqlembed.c where a query
-- says "-- include: NAME", indented like that line. Written once here so that the views,
-- their engine-specific forms and the per-unit halves cannot drift apart.

-- fragment: queue_filters
-- the cursor and $16 as plain comparisons on the sort key, then each optional filter
AND COALESCE(x.current_due_at, 9223372036854775807) >= CAST($11 AS BIGINT) AND COALESCE(x.current_due_at, 9223372036854775807) <= CAST($16 AS BIGINT)
AND (COALESCE(x.current_due_at, 9223372036854775807) > CAST($11 AS BIGINT) OR x.id > CAST($12 AS BIGINT))
AND (CAST($2 AS BIGINT) = 0 OR x.applicant_account_id = CAST($2 AS BIGINT))
AND (CAST($3 AS BIGINT) = 0 OR x.status = CAST($3 AS BIGINT))
AND (CAST($4 AS BIGINT) = 0 OR x.current_step = CAST($4 AS BIGINT))
AND (CAST($5 AS BIGINT) = 0 OR x.assignee_account_id = CAST($5 AS BIGINT))
AND (CAST($6 AS BIGINT) = 0 OR x.procedure_id = CAST($6 AS BIGINT))
AND (CAST($7 AS BIGINT) = 0 OR x.current_due_at < CAST($7 AS BIGINT))
AND (CAST($8 AS BIGINT) = 0 OR (x.current_due_at < CAST($9 AS BIGINT) AND x.ended_at IS NULL))
AND (CAST($10 AS TEXT) IS NULL OR lower(x.code) LIKE CAST($10 AS TEXT) || '%'
     OR lower(x.applicant_name) LIKE '%' || CAST($10 AS TEXT) || '%')
AND (CAST($14 AS BIGINT) = 0 OR (x.current_due_at >= CAST($14 AS BIGINT) AND x.ended_at IS NULL))
AND (CAST($15 AS TEXT) IS NULL
     OR substr(lower(x.code), 1, length(CAST($15 AS TEXT))) = CAST($15 AS TEXT))

-- fragment: queue_scope_filters
-- the unit subtree $1 (0 = everywhere) by receiving or competent unit, then queue_filters
AND (CAST($1 AS BIGINT) = 0 OR x.receiving_unit_id IN (SELECT id FROM sub)
     OR x.competent_unit_id IN (SELECT id FROM sub))
-- include: queue_filters

-- fragment: queue_code_after_cursor
-- the code searches (dossier_queue_code_top, dossier_queue_code_month): the rows after the
-- cursor ($2 sort key, $3 id; $2 < 0 on a first page) and up to the due bound $6
AND (CAST($2 AS BIGINT) < 0 OR COALESCE(c.current_due_at, 9223372036854775807) > CAST($2 AS BIGINT)
     OR (COALESCE(c.current_due_at, 9223372036854775807) = CAST($2 AS BIGINT) AND c.id > CAST($3 AS BIGINT)))
AND (CAST($6 AS BIGINT) = 9223372036854775807 OR COALESCE(c.current_due_at, 9223372036854775807) <= CAST($6 AS BIGINT))
