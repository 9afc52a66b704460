-- 0023_calendar_stamp.sql - a revision number of the working calendar, raised by triggers on
-- every change of calendar_day or calendar_setting (whoever makes it), in the changing
-- transaction: ts_cal_load keys its in-process cache by it, so an edit is seen by the next
-- request on every node, and nothing needs flushing.
CREATE TABLE calendar_stamp (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	revision BIGINT NOT NULL
);
INSERT INTO calendar_stamp (id, revision) VALUES (1, 0);

CREATE TRIGGER calendar_day_ins_stamp AFTER INSERT ON calendar_day
BEGIN UPDATE calendar_stamp SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_day_upd_stamp AFTER UPDATE ON calendar_day
BEGIN UPDATE calendar_stamp SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_day_del_stamp AFTER DELETE ON calendar_day
BEGIN UPDATE calendar_stamp SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_setting_ins_stamp AFTER INSERT ON calendar_setting
BEGIN UPDATE calendar_stamp SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_setting_upd_stamp AFTER UPDATE ON calendar_setting
BEGIN UPDATE calendar_stamp SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_setting_del_stamp AFTER DELETE ON calendar_setting
BEGIN UPDATE calendar_stamp SET revision = revision + 1 WHERE id = 1; END;
