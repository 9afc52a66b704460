-- dossier_queue_filters.sql (PostgreSQL): the work-queue filters of the views over open
-- dossiers only (dossier_queue_open, dossier_queue_units_open), which already say "not
-- ended": the overdue ($8) and due-after ($14) filters leave it out here, because stated
-- twice the planner takes it for a rarer condition and prefers stats_dossier_ended_idx.
-- Otherwise the same as queue_filters (sql/common/queries/dossier_queue_filters.sql).

-- fragment: queue_open_filters
AND COALESCE(x.current_due_at, 9223372036854775807) >= CAST($11 AS BIGINT) AND COALESCE(x.current_due_at, 9223372036854775807) <= CAST($16 AS BIGINT)
AND (COALESCE(x.current_due_at, 9223372036854775807) > CAST($11 AS BIGINT) OR x.id > CAST($12 AS BIGINT))
AND (CAST($2 AS BIGINT) = 0 OR x.applicant_account_id = CAST($2 AS BIGINT))
AND (CAST($3 AS BIGINT) = 0 OR x.status = CAST($3 AS BIGINT))
AND (CAST($4 AS BIGINT) = 0 OR x.current_step = CAST($4 AS BIGINT))
AND (CAST($5 AS BIGINT) = 0 OR x.assignee_account_id = CAST($5 AS BIGINT))
AND (CAST($6 AS BIGINT) = 0 OR x.procedure_id = CAST($6 AS BIGINT))
AND (CAST($7 AS BIGINT) = 0 OR x.current_due_at < CAST($7 AS BIGINT))
AND (CAST($8 AS BIGINT) = 0 OR x.current_due_at < CAST($9 AS BIGINT))
AND (CAST($10 AS TEXT) IS NULL OR lower(x.code) LIKE CAST($10 AS TEXT) || '%'
     OR lower(x.applicant_name) LIKE '%' || CAST($10 AS TEXT) || '%')
AND (CAST($14 AS BIGINT) = 0 OR x.current_due_at >= CAST($14 AS BIGINT))
AND (CAST($15 AS TEXT) IS NULL
     OR substr(lower(x.code), 1, length(CAST($15 AS TEXT))) = CAST($15 AS TEXT))

-- fragment: queue_open_scope_filters
AND (CAST($1 AS BIGINT) = 0 OR x.receiving_unit_id IN (SELECT id FROM sub)
     OR x.competent_unit_id IN (SELECT id FROM sub))
-- include: queue_open_filters
