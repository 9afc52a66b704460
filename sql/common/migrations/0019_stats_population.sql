-- 0019_stats_population.sql - Decision 766 indicators 5.6 / 5.7 (procedures / dossiers using
-- the national population database) from the marks of dossier_population_use (0012,
-- src/dvcqg/identity.c): a counter of the dossiers received that used population data
-- (counted on the acceptance day like recv_digitised, src/stats/counters.c), and a second
-- version of the index data in which 5.6 / 5.7 are computed instead of "N/A".
ALTER TABLE stats_day ADD COLUMN recv_population BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stats_month ADD COLUMN recv_population BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stats_year ADD COLUMN recv_population BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stats_day_recount ADD COLUMN recv_population BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stats_month_recount ADD COLUMN recv_population BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stats_year_recount ADD COLUMN recv_population BIGINT NOT NULL DEFAULT 0;

-- Version 2: the same indicators, 5.6 / 5.7 computed. In force from the first day of the
-- Decree 09 report month in which the platform began recording population-data use
-- (15 Nov 2026); periods ending before it keep version 1 (5.6 / 5.7 "N/A"), since their
-- dossiers could not be marked.
INSERT INTO stats_index_version (id, code, name, valid_from)
VALUES (2, '766/2022-dc', 'Quyết định 766/QĐ-TTg ngày 23/6/2022 (có số liệu khai thác CSDLQG về dân cư)', '2026-11-15');
INSERT INTO stats_index_item (version_id, code, grp, name, max_points, threshold_bp, formula, na_reason, commune_applicable, ord)
SELECT 2, code, grp, name, max_points, threshold_bp, formula, na_reason, commune_applicable, ord
FROM stats_index_item WHERE version_id = 1;
UPDATE stats_index_item SET formula = 'population_procedures', na_reason = NULL
WHERE version_id = 2 AND code = '5.6';
UPDATE stats_index_item SET formula = 'population', na_reason = NULL
WHERE version_id = 2 AND code = '5.7';
