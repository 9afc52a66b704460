-- 0012: PLACEHOLDER of the sec branch, only so that migration numbers run without gaps
-- while the branch that reserved 0012 is not merged. Delete this file when the real
-- 0012_*.sql lands (sqlembed then reports the duplicate number).
SELECT 1;
