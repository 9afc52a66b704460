-- 0010_drop_stats_daily: the first daily counters (0006) are replaced by the stats_* tables
-- (0008, src/stats) that every dossier transaction keeps; nothing reads or writes this one.
DROP TABLE stats_daily;
