-- 0013: PLACEHOLDER of the attach2 branch, only so that migration numbers run without gaps
-- while the branch that reserved 0013 is not merged. Delete this file when the real
-- 0013_*.sql lands (sqlembed then reports the duplicate number).
SELECT 1;
