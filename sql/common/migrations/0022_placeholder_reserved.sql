-- 0022: PLACEHOLDER of the rcache branch, only so that migration numbers run without gaps
-- while the branches that reserved 0022 (pgpar, qsearch) are not merged. Delete this file
-- when the real 0022_*.sql lands, or renumber 0023 (sqlembed reports a duplicate number).
SELECT 1;
