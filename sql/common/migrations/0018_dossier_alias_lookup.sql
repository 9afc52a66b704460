-- 0018_dossier_alias_lookup - a dossier is looked up by its code or by an alias of it
-- (dossier_get, the public status lookup). The alias table's key is (system, alias), so an
-- alias alone was found by reading the whole table on every lookup.
CREATE INDEX dossier_code_alias_alias_idx ON dossier_code_alias (alias);
