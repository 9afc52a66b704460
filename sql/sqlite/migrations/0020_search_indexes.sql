-- 0020_procedure_search_index (SQLite) - procedure search (GET /api/v1/procedures?q=) reads
-- its candidates from an index instead of testing every procedure's search_text: an FTS5
-- table with the trigram tokenizer over procedure.search_text (the folded code + name,
-- base/text.h), whose phrase queries find any substring of 3 or more characters, which is
-- what the search's per-word LIKE '%word%' tests. case_sensitive 1: the text and the words are
-- folded already, so a match is exactly a substring (src/catalog/catalog.c re-tests every
-- word on the row, and words shorter than 3 characters are tested there only). The index is
-- external content (the text stays in procedure) kept in step by the triggers below, in the
-- transaction of the import that writes the row.
CREATE VIRTUAL TABLE procedure_fts USING fts5(
	search_text, content = 'procedure', content_rowid = 'id',
	tokenize = 'trigram case_sensitive 1');
INSERT INTO procedure_fts (procedure_fts) VALUES ('rebuild');
CREATE TRIGGER procedure_fts_insert AFTER INSERT ON procedure BEGIN
	INSERT INTO procedure_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER procedure_fts_delete AFTER DELETE ON procedure BEGIN
	INSERT INTO procedure_fts (procedure_fts, rowid, search_text)
	VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER procedure_fts_update AFTER UPDATE OF id, search_text ON procedure BEGIN
	INSERT INTO procedure_fts (procedure_fts, rowid, search_text)
	VALUES ('delete', old.id, old.search_text);
	INSERT INTO procedure_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
