-- 0011: PLACEHOLDER of the sec branch, only so that migration numbers run without gaps
-- while the branch that reserved 0011 is not merged. Delete this file when the real
-- 0011_*.sql lands (sqlembed then reports the duplicate number).
SELECT 1;
