-- 0022_code_month_indexes (SQLite) - code search in the queues by a unit and month (issue 8).
-- A dossier code is <agency>-<yyMMdd>-<NNNN> (DOMAIN.md 5); a search typed as the agency and
-- month (000.00.31.H99-2610: the text up to the first '-' and four characters more) matches
-- every code of that unit and month - tens of thousands at a million dossiers - and the code
-- indexes (unit, code, due) hand them over in code order, so the first page in the queue
-- order (due time, id) meant reading and sorting all of them. These indexes hold each code's
-- own "month group" (the code up to its first '-' and four characters more, lower case: a
-- prefix of the code) per unit in the queue order, so such a page is read as a page of index
-- entries (sql/*/queries/dossier.sql, dossier_queue_code_month). Exact for any code: a
-- code starting with such a search text has its first '-' where the text has it, so its
-- group is the text itself.
CREATE INDEX dossier_qc_month_idx ON dossier (competent_unit_id, (substr(lower(code), 1, instr(code, '-') + 4)), (COALESCE(current_due_at, 9223372036854775807)), id);
CREATE INDEX dossier_qr_month_idx ON dossier (receiving_unit_id, (substr(lower(code), 1, instr(code, '-') + 4)), (COALESCE(current_due_at, 9223372036854775807)), id);
