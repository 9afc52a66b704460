-- 0002_org.sql (PostgreSQL) - the organisation tree (DOMAIN.md §2): units with agency codes,
-- kinds, parents, effective dates and successors. History is never rewritten: a closed
-- unit keeps its row with valid_to and successor_id. Rules live in src/org/org.c.
CREATE TABLE org_unit (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	short_name TEXT,
	kind TEXT NOT NULL,
	parent_id BIGINT REFERENCES org_unit(id),
	valid_from TEXT NOT NULL,
	valid_to TEXT,
	successor_id BIGINT REFERENCES org_unit(id),
	version INTEGER NOT NULL DEFAULT 1,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	CONSTRAINT org_unit_not_own_parent CHECK (parent_id IS NULL OR parent_id <> id),
	CONSTRAINT org_unit_not_own_successor CHECK (successor_id IS NULL OR successor_id <> id),
	CONSTRAINT org_unit_dates CHECK (valid_to IS NULL OR valid_to >= valid_from),
	CONSTRAINT org_unit_code_len CHECK (length(code) BETWEEN 1 AND 35)
);
CREATE INDEX org_unit_parent_idx ON org_unit (parent_id);
CREATE INDEX org_unit_successor_idx ON org_unit (successor_id);
