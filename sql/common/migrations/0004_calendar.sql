-- 0004_calendar.sql - the working calendar (DOMAIN.md §6): special days (holidays,
-- compensatory days, swapped days off and swapped working Saturdays) and office-hour settings.
-- Seeded with 2025-2027 from ts_cal_suggest_year (src/calendar/lunar.c): 'announced' rows are
-- the published decisions, 'computed' rows the lunar-calendar suggestion; admins edit both.
CREATE TABLE calendar_day (
	date INTEGER PRIMARY KEY CHECK (date BETWEEN 19000101 AND 21991231),
	kind TEXT NOT NULL
		CHECK (kind IN ('holiday', 'compensatory', 'swapped_off', 'swapped_working')),
	name TEXT,
	source TEXT NOT NULL CHECK (source IN ('announced', 'computed', 'admin')),
	updated_at BIGINT NOT NULL
);

-- Office hours as minutes after local midnight (sessions [am_start, am_end) and
-- [pm_start, pm_end)), weekdays as a mask (bit 0 Monday .. bit 6 Sunday), the cut-off minute.
CREATE TABLE calendar_setting (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

INSERT INTO calendar_setting (key, value) VALUES
	('am_start', '420'),
	('am_end', '690'),
	('pm_start', '810'),
	('pm_end', '1020'),
	('weekdays', '31'),
	('cutoff_minute', '900');

INSERT INTO calendar_day (date, kind, name, source, updated_at) VALUES
	(20250101, 'holiday', 'Tết Dương lịch', 'computed', 0),
	(20250127, 'holiday', 'Tết Nguyên đán', 'announced', 0),
	(20250128, 'holiday', 'Tết Nguyên đán', 'announced', 0),
	(20250129, 'holiday', 'Tết Nguyên đán', 'announced', 0),
	(20250130, 'holiday', 'Tết Nguyên đán', 'announced', 0),
	(20250131, 'holiday', 'Tết Nguyên đán', 'announced', 0),
	(20250407, 'holiday', 'Giỗ Tổ Hùng Vương', 'computed', 0),
	(20250430, 'holiday', 'Ngày Chiến thắng 30/4', 'computed', 0),
	(20250501, 'holiday', 'Ngày Quốc tế Lao động', 'computed', 0),
	(20250901, 'holiday', 'Quốc khánh 2/9', 'computed', 0),
	(20250902, 'holiday', 'Quốc khánh 2/9', 'computed', 0),
	(20260101, 'holiday', 'Tết Dương lịch', 'computed', 0),
	(20260216, 'holiday', 'Tết Nguyên đán', 'announced', 0),
	(20260217, 'holiday', 'Tết Nguyên đán', 'announced', 0),
	(20260218, 'holiday', 'Tết Nguyên đán', 'announced', 0),
	(20260219, 'holiday', 'Tết Nguyên đán', 'announced', 0),
	(20260220, 'holiday', 'Tết Nguyên đán', 'announced', 0),
	(20260426, 'holiday', 'Giỗ Tổ Hùng Vương', 'announced', 0),
	(20260427, 'compensatory', 'Nghỉ bù Giỗ Tổ Hùng Vương', 'announced', 0),
	(20260430, 'holiday', 'Ngày Chiến thắng 30/4', 'computed', 0),
	(20260501, 'holiday', 'Ngày Quốc tế Lao động', 'computed', 0),
	(20260901, 'holiday', 'Quốc khánh 2/9', 'computed', 0),
	(20260902, 'holiday', 'Quốc khánh 2/9', 'computed', 0),
	(20261124, 'holiday', 'Ngày Văn hóa Việt Nam', 'computed', 0),
	(20270101, 'holiday', 'Tết Dương lịch', 'computed', 0),
	(20270205, 'holiday', 'Tết Nguyên đán', 'computed', 0),
	(20270206, 'holiday', 'Tết Nguyên đán', 'computed', 0),
	(20270207, 'holiday', 'Tết Nguyên đán', 'computed', 0),
	(20270208, 'holiday', 'Tết Nguyên đán', 'computed', 0),
	(20270209, 'holiday', 'Tết Nguyên đán', 'computed', 0),
	(20270210, 'compensatory', 'Nghỉ bù Tết Nguyên đán', 'computed', 0),
	(20270211, 'compensatory', 'Nghỉ bù Tết Nguyên đán', 'computed', 0),
	(20270416, 'holiday', 'Giỗ Tổ Hùng Vương', 'computed', 0),
	(20270430, 'holiday', 'Ngày Chiến thắng 30/4', 'computed', 0),
	(20270501, 'holiday', 'Ngày Quốc tế Lao động', 'computed', 0),
	(20270503, 'compensatory', 'Nghỉ bù Ngày Quốc tế Lao động', 'computed', 0),
	(20270901, 'holiday', 'Quốc khánh 2/9', 'computed', 0),
	(20270902, 'holiday', 'Quốc khánh 2/9', 'computed', 0),
	(20271124, 'holiday', 'Ngày Văn hóa Việt Nam', 'computed', 0);
