-- 0021_write_slots (SQLite): the columns PostgreSQL's 0021 adds, so that both stores keep
-- the same tables and columns (tinhso migrate-store). SQLite has one writer: every counter
-- row keeps slot 0 and the audit trail one chain (audit_head keeps its CHECK (id = 1)).
ALTER TABLE stats_day ADD COLUMN slot INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stats_month ADD COLUMN slot INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stats_year ADD COLUMN slot INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stats_stock ADD COLUMN slot INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stats_day_recount ADD COLUMN slot INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stats_month_recount ADD COLUMN slot INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stats_year_recount ADD COLUMN slot INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stats_stock_recount ADD COLUMN slot INTEGER NOT NULL DEFAULT 0;

-- The audit trail's chain and position in it (docs/security.md): the rows so far are chain
-- 1, their links are their seq and their hashes keep the first layout (v1_links counts them).
ALTER TABLE audit ADD COLUMN chain INTEGER NOT NULL DEFAULT 1;
ALTER TABLE audit ADD COLUMN link INTEGER;
UPDATE audit SET link = seq;
CREATE UNIQUE INDEX audit_chain_link_idx ON audit (chain, link);
ALTER TABLE audit_head ADD COLUMN v1_links INTEGER NOT NULL DEFAULT 0;
UPDATE audit_head SET v1_links = last_seq;
