-- 0012_notify_identity - notifications to citizens (src/outbox/notify.c): templates edited by
-- administrators (defaults built in), and the channels a notification message has already
-- gone out on, so a retry never sends the same e-mail or SMS twice; identity lookups in the
-- population database (src/dvcqg/identity.c): the dossiers whose applicant data came from it
-- (index 4.5), without the personal ID itself.
CREATE TABLE notify_template (
	event TEXT NOT NULL,
	channel TEXT NOT NULL,
	subject TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL,
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (event, channel)
);

CREATE TABLE notify_sent (
	outbox_id BIGINT NOT NULL,
	channel TEXT NOT NULL,
	sent_at BIGINT NOT NULL,
	PRIMARY KEY (outbox_id, channel)
);

CREATE TABLE dossier_population_use (
	dossier_id BIGINT NOT NULL PRIMARY KEY REFERENCES dossier(id),
	marked_at BIGINT NOT NULL,
	marked_by TEXT NOT NULL
);
