-- 0023_calendar_stamp.sql - a revision number of the working calendar, raised by triggers on
-- every change of calendar_day or calendar_setting (whoever makes it), in the changing
-- transaction: ts_cal_load keys its in-process cache by it, so an edit is seen by the next
-- request on every node, and nothing needs flushing.
CREATE TABLE calendar_stamp (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	revision BIGINT NOT NULL
);
INSERT INTO calendar_stamp (id, revision) VALUES (1, 0);

CREATE FUNCTION calendar_stamp_raise() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE calendar_stamp SET revision = revision + 1 WHERE id = 1;
	RETURN NULL;
END
$$;

CREATE TRIGGER calendar_day_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON calendar_day
	FOR EACH STATEMENT EXECUTE FUNCTION calendar_stamp_raise();
CREATE TRIGGER calendar_setting_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON calendar_setting FOR EACH STATEMENT EXECUTE FUNCTION calendar_stamp_raise();
