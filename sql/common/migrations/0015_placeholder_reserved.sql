-- 0015: PLACEHOLDER of the attach2 branch, only so that migration numbers run without gaps
-- while the branch that reserved 0015 is not merged. Delete this file when the real
-- 0015_*.sql lands (sqlembed then reports the duplicate number).
SELECT 1;
