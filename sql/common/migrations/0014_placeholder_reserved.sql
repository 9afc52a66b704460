-- 0014: PLACEHOLDER of the attach2 branch, only so that migration numbers run without gaps
-- while the branch that reserved 0014 is not merged. Delete this file when the real
-- 0014_*.sql lands (sqlembed then reports the duplicate number).
SELECT 1;
