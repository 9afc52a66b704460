-- 0021_write_slots (PostgreSQL): rows that every dossier transaction updated, spread over the
-- pool's connections (tinhso.slot, src/db/db.h) so that concurrent submissions no longer wait
-- for each other's row locks until each commit is flushed (issue 8).

-- Statistics counters: one row per key and slot; readers sum the slots (docs/statistics.md).
-- The recount's tables get the column too (always 0) so that both keep the same columns.
ALTER TABLE stats_day ADD COLUMN slot INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stats_day DROP CONSTRAINT stats_day_pkey, ADD PRIMARY KEY (day, unit_id, procedure_id, slot);
ALTER TABLE stats_month ADD COLUMN slot INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stats_month DROP CONSTRAINT stats_month_pkey, ADD PRIMARY KEY (rm, unit_id, procedure_id, slot);
ALTER TABLE stats_year ADD COLUMN slot INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stats_year DROP CONSTRAINT stats_year_pkey, ADD PRIMARY KEY (ry, unit_id, procedure_id, slot);
ALTER TABLE stats_stock ADD COLUMN slot INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stats_stock DROP CONSTRAINT stats_stock_pkey, ADD PRIMARY KEY (unit_id, procedure_id, slot);
ALTER TABLE stats_day_recount ADD COLUMN slot INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stats_month_recount ADD COLUMN slot INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stats_year_recount ADD COLUMN slot INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stats_stock_recount ADD COLUMN slot INTEGER NOT NULL DEFAULT 0;

-- The audit trail: several hash chains (docs/security.md). A row belongs to chain `chain`
-- at position `link` (1, 2, ... without gaps); audit_head holds one row per chain (its id)
-- with the last link and hash. The rows so far are chain 1, their links are their seq and
-- their hashes keep the first layout (audit_head.v1_links counts them).
ALTER TABLE audit ADD COLUMN chain INTEGER NOT NULL DEFAULT 1;
ALTER TABLE audit ADD COLUMN link BIGINT;
UPDATE audit SET link = seq;
ALTER TABLE audit ALTER COLUMN link SET NOT NULL;
CREATE UNIQUE INDEX audit_chain_link_idx ON audit (chain, link);
ALTER TABLE audit_head DROP CONSTRAINT audit_head_id_check;
ALTER TABLE audit_head ADD CONSTRAINT audit_head_id_check CHECK (id >= 1);
ALTER TABLE audit_head ADD COLUMN v1_links BIGINT NOT NULL DEFAULT 0;
UPDATE audit_head SET v1_links = last_seq;
