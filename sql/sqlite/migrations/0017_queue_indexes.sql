-- Work queues at a million dossiers (issue 8). An officer's queue is a unit subtree of a few
-- units: the queries (sql/*/queries/dossier.sql, dossier_queue_units*) take each unit's first
-- page from an index that leads with the unit, in the queue order (current due, no due last,
-- then id), and merge them; the open views (overdue, due soon) and the counts read the small
-- partial indexes of the open dossiers. The receiving-unit indexes carry the competent unit
-- so that the counts tell "outside the subtree" from the index alone. The (unit, status)
-- indexes of 0006 are prefixes of the new (unit, status, due, id) ones.
DROP INDEX dossier_competent_idx;
DROP INDEX dossier_receiving_idx;
CREATE INDEX dossier_qc_idx ON dossier (competent_unit_id, (COALESCE(current_due_at, 9223372036854775807)), id);
CREATE INDEX dossier_qr_idx ON dossier (receiving_unit_id, (COALESCE(current_due_at, 9223372036854775807)), id, competent_unit_id);
CREATE INDEX dossier_qc_status_idx ON dossier (competent_unit_id, status, (COALESCE(current_due_at, 9223372036854775807)), id);
CREATE INDEX dossier_qr_status_idx ON dossier (receiving_unit_id, status, (COALESCE(current_due_at, 9223372036854775807)), id, competent_unit_id);
CREATE INDEX dossier_open_idx ON dossier ((COALESCE(current_due_at, 9223372036854775807)), id, current_step) WHERE ended_at IS NULL;
CREATE INDEX dossier_qc_open_idx ON dossier (competent_unit_id, (COALESCE(current_due_at, 9223372036854775807)), id, current_step) WHERE ended_at IS NULL;
CREATE INDEX dossier_qr_open_idx ON dossier (receiving_unit_id, (COALESCE(current_due_at, 9223372036854775807)), id, competent_unit_id, current_step) WHERE ended_at IS NULL;
-- code search in the queues: a prefix of the code in any case (ASCII: NOCASE is lower()),
-- everywhere and per unit, with the due time so that a page of codes is read from the index
-- alone (dossier_queue_code_top)
CREATE INDEX dossier_code_ci_idx ON dossier (code COLLATE NOCASE, current_due_at);
CREATE INDEX dossier_qc_code_idx ON dossier (competent_unit_id, code COLLATE NOCASE, current_due_at);
CREATE INDEX dossier_qr_code_idx ON dossier (receiving_unit_id, code COLLATE NOCASE, current_due_at);
