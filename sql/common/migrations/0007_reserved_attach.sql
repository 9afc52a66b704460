-- 0007 is reserved for the attachments branch (issue: files). This placeholder only keeps
-- migration numbers gap-free on the stats branch; DELETE IT when merging (the attach
-- branch brings the real 0007_attach.sql).
SELECT 1;
