-- 0015_dossier_view - who looked at a citizen's dossier (src/dossier/dossier.c): one row per
-- read of a dossier, its files, forms or population data by anyone other than the applicant
-- (officer or API client). The applicant reads them (GET /api/v1/dossiers/{code}/views).
-- No personal data: ids and a time only; names come from account / org_unit when shown.
CREATE TABLE dossier_view (
	dossier_id BIGINT NOT NULL REFERENCES dossier(id),
	viewed_at BIGINT NOT NULL,
	account_id BIGINT,
	api_client_id BIGINT
);
CREATE INDEX dossier_view_dossier_idx ON dossier_view(dossier_id, viewed_at);
