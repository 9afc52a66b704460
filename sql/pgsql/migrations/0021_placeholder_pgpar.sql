-- 0021 is reserved for the pgpar branch (0021_write_slots); this placeholder keeps the numbers
-- gapless on the qsearch branch alone. DELETE this file when merging with pgpar's 0021.
SELECT 1;
