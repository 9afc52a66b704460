-- 0008_stats (SQLite) - statistics (DOMAIN.md §8-9, docs/statistics.md): daily counters kept
-- in the same transaction as every dossier change (src/stats/counters.c), the stock history
-- of each dossier (open segments: active or paused, within or over the deadline), and the
-- Decision 766 index definitions as versioned data. The older stats_daily table of 0006 is
-- no longer written.

-- Daily counters per (local day number, competent unit, procedure). Flow columns count
-- events of the day; d_* columns are net changes of the open stock (+1 a dossier enters the
-- state that day, -1 it leaves). Local day number = days since 1970-01-01 in UTC+7.
CREATE TABLE stats_day (
	day INTEGER NOT NULL,
	unit_id BIGINT NOT NULL,
	procedure_id BIGINT NOT NULL,
	submitted BIGINT NOT NULL DEFAULT 0,
	recv_online BIGINT NOT NULL DEFAULT 0,
	recv_direct BIGINT NOT NULL DEFAULT 0,
	recv_post BIGINT NOT NULL DEFAULT 0,
	recv_digitised BIGINT NOT NULL DEFAULT 0,
	recv_reused BIGINT NOT NULL DEFAULT 0,
	recv_fo_eligible BIGINT NOT NULL DEFAULT 0,
	recv_fo_online BIGINT NOT NULL DEFAULT 0,
	res_early BIGINT NOT NULL DEFAULT 0,
	res_on_time BIGINT NOT NULL DEFAULT 0,
	res_late BIGINT NOT NULL DEFAULT 0,
	res_seconds BIGINT NOT NULL DEFAULT 0,
	res_supplemented BIGINT NOT NULL DEFAULT 0,
	stopped BIGINT NOT NULL DEFAULT 0,
	withdrawn BIGINT NOT NULL DEFAULT 0,
	refused BIGINT NOT NULL DEFAULT 0,
	delivered BIGINT NOT NULL DEFAULT 0,
	delivered_electronic BIGINT NOT NULL DEFAULT 0,
	rated BIGINT NOT NULL DEFAULT 0,
	rating_sum BIGINT NOT NULL DEFAULT 0,
	rated_satisfied BIGINT NOT NULL DEFAULT 0,
	rated_dislike BIGINT NOT NULL DEFAULT 0,
	supplement_req BIGINT NOT NULL DEFAULT 0,
	apologies BIGINT NOT NULL DEFAULT 0,
	d_active_in BIGINT NOT NULL DEFAULT 0,
	d_active_over BIGINT NOT NULL DEFAULT 0,
	d_paused_in BIGINT NOT NULL DEFAULT 0,
	d_paused_over BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (day, unit_id, procedure_id)
);
CREATE INDEX stats_day_unit_idx ON stats_day (unit_id, day);

-- The same counters per Decree 09 report month (rm = year * 12 + month - 1 of the period that
-- runs from the 15th of the month before to the 14th), so that month, quarter, half-year and
-- year reports read whole months only.
CREATE TABLE stats_month (
	rm INTEGER NOT NULL,
	unit_id BIGINT NOT NULL,
	procedure_id BIGINT NOT NULL,
	submitted BIGINT NOT NULL DEFAULT 0,
	recv_online BIGINT NOT NULL DEFAULT 0,
	recv_direct BIGINT NOT NULL DEFAULT 0,
	recv_post BIGINT NOT NULL DEFAULT 0,
	recv_digitised BIGINT NOT NULL DEFAULT 0,
	recv_reused BIGINT NOT NULL DEFAULT 0,
	recv_fo_eligible BIGINT NOT NULL DEFAULT 0,
	recv_fo_online BIGINT NOT NULL DEFAULT 0,
	res_early BIGINT NOT NULL DEFAULT 0,
	res_on_time BIGINT NOT NULL DEFAULT 0,
	res_late BIGINT NOT NULL DEFAULT 0,
	res_seconds BIGINT NOT NULL DEFAULT 0,
	res_supplemented BIGINT NOT NULL DEFAULT 0,
	stopped BIGINT NOT NULL DEFAULT 0,
	withdrawn BIGINT NOT NULL DEFAULT 0,
	refused BIGINT NOT NULL DEFAULT 0,
	delivered BIGINT NOT NULL DEFAULT 0,
	delivered_electronic BIGINT NOT NULL DEFAULT 0,
	rated BIGINT NOT NULL DEFAULT 0,
	rating_sum BIGINT NOT NULL DEFAULT 0,
	rated_satisfied BIGINT NOT NULL DEFAULT 0,
	rated_dislike BIGINT NOT NULL DEFAULT 0,
	supplement_req BIGINT NOT NULL DEFAULT 0,
	apologies BIGINT NOT NULL DEFAULT 0,
	d_active_in BIGINT NOT NULL DEFAULT 0,
	d_active_over BIGINT NOT NULL DEFAULT 0,
	d_paused_in BIGINT NOT NULL DEFAULT 0,
	d_paused_over BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (rm, unit_id, procedure_id)
);

-- And per Decree 09 report year (ry = the year whose period runs from 15 December of the year
-- before to 14 December): a year report reads one row per (unit, procedure).
CREATE TABLE stats_year (
	ry INTEGER NOT NULL,
	unit_id BIGINT NOT NULL,
	procedure_id BIGINT NOT NULL,
	submitted BIGINT NOT NULL DEFAULT 0,
	recv_online BIGINT NOT NULL DEFAULT 0,
	recv_direct BIGINT NOT NULL DEFAULT 0,
	recv_post BIGINT NOT NULL DEFAULT 0,
	recv_digitised BIGINT NOT NULL DEFAULT 0,
	recv_reused BIGINT NOT NULL DEFAULT 0,
	recv_fo_eligible BIGINT NOT NULL DEFAULT 0,
	recv_fo_online BIGINT NOT NULL DEFAULT 0,
	res_early BIGINT NOT NULL DEFAULT 0,
	res_on_time BIGINT NOT NULL DEFAULT 0,
	res_late BIGINT NOT NULL DEFAULT 0,
	res_seconds BIGINT NOT NULL DEFAULT 0,
	res_supplemented BIGINT NOT NULL DEFAULT 0,
	stopped BIGINT NOT NULL DEFAULT 0,
	withdrawn BIGINT NOT NULL DEFAULT 0,
	refused BIGINT NOT NULL DEFAULT 0,
	delivered BIGINT NOT NULL DEFAULT 0,
	delivered_electronic BIGINT NOT NULL DEFAULT 0,
	rated BIGINT NOT NULL DEFAULT 0,
	rating_sum BIGINT NOT NULL DEFAULT 0,
	rated_satisfied BIGINT NOT NULL DEFAULT 0,
	rated_dislike BIGINT NOT NULL DEFAULT 0,
	supplement_req BIGINT NOT NULL DEFAULT 0,
	apologies BIGINT NOT NULL DEFAULT 0,
	d_active_in BIGINT NOT NULL DEFAULT 0,
	d_active_over BIGINT NOT NULL DEFAULT 0,
	d_paused_in BIGINT NOT NULL DEFAULT 0,
	d_paused_over BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (ry, unit_id, procedure_id)
);

-- The open stock of every (unit, procedure): the sum of d_* over all days, so the stock at any
-- day is this minus the changes after it (recent periods read few rows).
CREATE TABLE stats_stock (
	unit_id BIGINT NOT NULL,
	procedure_id BIGINT NOT NULL,
	d_active_in BIGINT NOT NULL DEFAULT 0,
	d_active_over BIGINT NOT NULL DEFAULT 0,
	d_paused_in BIGINT NOT NULL DEFAULT 0,
	d_paused_over BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (unit_id, procedure_id)
);

-- Where recount builds its copies before comparing or replacing (same columns).
CREATE TABLE stats_day_recount (
	day INTEGER NOT NULL,
	unit_id BIGINT NOT NULL,
	procedure_id BIGINT NOT NULL,
	submitted BIGINT NOT NULL DEFAULT 0,
	recv_online BIGINT NOT NULL DEFAULT 0,
	recv_direct BIGINT NOT NULL DEFAULT 0,
	recv_post BIGINT NOT NULL DEFAULT 0,
	recv_digitised BIGINT NOT NULL DEFAULT 0,
	recv_reused BIGINT NOT NULL DEFAULT 0,
	recv_fo_eligible BIGINT NOT NULL DEFAULT 0,
	recv_fo_online BIGINT NOT NULL DEFAULT 0,
	res_early BIGINT NOT NULL DEFAULT 0,
	res_on_time BIGINT NOT NULL DEFAULT 0,
	res_late BIGINT NOT NULL DEFAULT 0,
	res_seconds BIGINT NOT NULL DEFAULT 0,
	res_supplemented BIGINT NOT NULL DEFAULT 0,
	stopped BIGINT NOT NULL DEFAULT 0,
	withdrawn BIGINT NOT NULL DEFAULT 0,
	refused BIGINT NOT NULL DEFAULT 0,
	delivered BIGINT NOT NULL DEFAULT 0,
	delivered_electronic BIGINT NOT NULL DEFAULT 0,
	rated BIGINT NOT NULL DEFAULT 0,
	rating_sum BIGINT NOT NULL DEFAULT 0,
	rated_satisfied BIGINT NOT NULL DEFAULT 0,
	rated_dislike BIGINT NOT NULL DEFAULT 0,
	supplement_req BIGINT NOT NULL DEFAULT 0,
	apologies BIGINT NOT NULL DEFAULT 0,
	d_active_in BIGINT NOT NULL DEFAULT 0,
	d_active_over BIGINT NOT NULL DEFAULT 0,
	d_paused_in BIGINT NOT NULL DEFAULT 0,
	d_paused_over BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (day, unit_id, procedure_id)
);
CREATE TABLE stats_month_recount (
	rm INTEGER NOT NULL,
	unit_id BIGINT NOT NULL,
	procedure_id BIGINT NOT NULL,
	submitted BIGINT NOT NULL DEFAULT 0,
	recv_online BIGINT NOT NULL DEFAULT 0,
	recv_direct BIGINT NOT NULL DEFAULT 0,
	recv_post BIGINT NOT NULL DEFAULT 0,
	recv_digitised BIGINT NOT NULL DEFAULT 0,
	recv_reused BIGINT NOT NULL DEFAULT 0,
	recv_fo_eligible BIGINT NOT NULL DEFAULT 0,
	recv_fo_online BIGINT NOT NULL DEFAULT 0,
	res_early BIGINT NOT NULL DEFAULT 0,
	res_on_time BIGINT NOT NULL DEFAULT 0,
	res_late BIGINT NOT NULL DEFAULT 0,
	res_seconds BIGINT NOT NULL DEFAULT 0,
	res_supplemented BIGINT NOT NULL DEFAULT 0,
	stopped BIGINT NOT NULL DEFAULT 0,
	withdrawn BIGINT NOT NULL DEFAULT 0,
	refused BIGINT NOT NULL DEFAULT 0,
	delivered BIGINT NOT NULL DEFAULT 0,
	delivered_electronic BIGINT NOT NULL DEFAULT 0,
	rated BIGINT NOT NULL DEFAULT 0,
	rating_sum BIGINT NOT NULL DEFAULT 0,
	rated_satisfied BIGINT NOT NULL DEFAULT 0,
	rated_dislike BIGINT NOT NULL DEFAULT 0,
	supplement_req BIGINT NOT NULL DEFAULT 0,
	apologies BIGINT NOT NULL DEFAULT 0,
	d_active_in BIGINT NOT NULL DEFAULT 0,
	d_active_over BIGINT NOT NULL DEFAULT 0,
	d_paused_in BIGINT NOT NULL DEFAULT 0,
	d_paused_over BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (rm, unit_id, procedure_id)
);
CREATE TABLE stats_year_recount (
	ry INTEGER NOT NULL,
	unit_id BIGINT NOT NULL,
	procedure_id BIGINT NOT NULL,
	submitted BIGINT NOT NULL DEFAULT 0,
	recv_online BIGINT NOT NULL DEFAULT 0,
	recv_direct BIGINT NOT NULL DEFAULT 0,
	recv_post BIGINT NOT NULL DEFAULT 0,
	recv_digitised BIGINT NOT NULL DEFAULT 0,
	recv_reused BIGINT NOT NULL DEFAULT 0,
	recv_fo_eligible BIGINT NOT NULL DEFAULT 0,
	recv_fo_online BIGINT NOT NULL DEFAULT 0,
	res_early BIGINT NOT NULL DEFAULT 0,
	res_on_time BIGINT NOT NULL DEFAULT 0,
	res_late BIGINT NOT NULL DEFAULT 0,
	res_seconds BIGINT NOT NULL DEFAULT 0,
	res_supplemented BIGINT NOT NULL DEFAULT 0,
	stopped BIGINT NOT NULL DEFAULT 0,
	withdrawn BIGINT NOT NULL DEFAULT 0,
	refused BIGINT NOT NULL DEFAULT 0,
	delivered BIGINT NOT NULL DEFAULT 0,
	delivered_electronic BIGINT NOT NULL DEFAULT 0,
	rated BIGINT NOT NULL DEFAULT 0,
	rating_sum BIGINT NOT NULL DEFAULT 0,
	rated_satisfied BIGINT NOT NULL DEFAULT 0,
	rated_dislike BIGINT NOT NULL DEFAULT 0,
	supplement_req BIGINT NOT NULL DEFAULT 0,
	apologies BIGINT NOT NULL DEFAULT 0,
	d_active_in BIGINT NOT NULL DEFAULT 0,
	d_active_over BIGINT NOT NULL DEFAULT 0,
	d_paused_in BIGINT NOT NULL DEFAULT 0,
	d_paused_over BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (ry, unit_id, procedure_id)
);
CREATE TABLE stats_stock_recount (
	unit_id BIGINT NOT NULL,
	procedure_id BIGINT NOT NULL,
	d_active_in BIGINT NOT NULL DEFAULT 0,
	d_active_over BIGINT NOT NULL DEFAULT 0,
	d_paused_in BIGINT NOT NULL DEFAULT 0,
	d_paused_over BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (unit_id, procedure_id)
);

-- The stock history: one row per stretch a dossier spends open after acceptance, active
-- (status 2/4) or paused (5/6), with the legal due time in force during the stretch and
-- whether the deadline had already passed when it began. end_at NULL = still open.
CREATE TABLE stats_segment (
	id INTEGER PRIMARY KEY,
	dossier_id BIGINT NOT NULL,
	unit_id BIGINT NOT NULL,
	procedure_id BIGINT NOT NULL,
	paused INTEGER NOT NULL CHECK (paused IN (0, 1)),
	start_at BIGINT NOT NULL,
	end_at BIGINT,
	due_at BIGINT NOT NULL DEFAULT 0,
	overdue_at_start INTEGER NOT NULL CHECK (overdue_at_start IN (0, 1))
);
CREATE INDEX stats_segment_dossier_idx ON stats_segment (dossier_id, start_at);
CREATE INDEX stats_segment_open_idx ON stats_segment (unit_id, due_at, paused, overdue_at_start,
	procedure_id, start_at) WHERE end_at IS NULL;
CREATE INDEX stats_segment_span_idx ON stats_segment (start_at, end_at);

-- Events by time: officer rankings, the operations centre's latest events.
CREATE INDEX stats_dossier_event_at_idx ON dossier_event (at);
CREATE INDEX stats_dossier_ended_idx ON dossier (ended_at);
CREATE INDEX stats_dossier_accepted_idx ON dossier (accepted_at);

-- Decision 766/QĐ-TTg index definitions, versioned: a version is in force from valid_from
-- (YYYY-MM-DD); a period is scored with the version in force on its last day.
CREATE TABLE stats_index_version (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	valid_from TEXT NOT NULL
);
-- One indicator: group, maximum points, threshold in basis points (0 = linear), how it is
-- computed (formula: a name known to src/stats/index.c, or 'na' with the reason), and
-- whether it applies to commune-level units (those that do not score full points there).
CREATE TABLE stats_index_item (
	version_id INTEGER NOT NULL REFERENCES stats_index_version(id),
	code TEXT NOT NULL,
	grp TEXT NOT NULL,
	name TEXT NOT NULL,
	max_points INTEGER NOT NULL CHECK (max_points > 0),
	threshold_bp INTEGER NOT NULL DEFAULT 0 CHECK (threshold_bp BETWEEN 0 AND 10000),
	formula TEXT NOT NULL,
	na_reason TEXT,
	commune_applicable INTEGER NOT NULL DEFAULT 1,
	ord INTEGER NOT NULL,
	PRIMARY KEY (version_id, code)
);
INSERT INTO stats_index_version (id, code, name, valid_from)
VALUES (1, '766/2022', 'Quyết định 766/QĐ-TTg ngày 23/6/2022', '2022-06-23');
INSERT INTO stats_index_item (version_id, code, grp, name, max_points, threshold_bp, formula, na_reason, commune_applicable, ord) VALUES
(1, '1.1', 'Công khai, minh bạch', 'Công bố, công khai thủ tục hành chính đúng hạn', 6, 0, 'na', 'Hệ thống chưa ghi nhận thời điểm ban hành quyết định công bố thủ tục', 0, 1),
(1, '1.2', 'Công khai, minh bạch', 'Cập nhật thủ tục lên Cơ sở dữ liệu quốc gia đúng hạn', 4, 0, 'na', 'Chưa kết nối đồng bộ Cơ sở dữ liệu quốc gia về thủ tục hành chính', 0, 2),
(1, '1.3', 'Công khai, minh bạch', 'Công khai đầy đủ 7 bộ phận của thủ tục', 2, 0, 'na', 'Chưa tính: danh mục chưa đánh dấu đủ 7 bộ phận công khai', 0, 3),
(1, '1.4', 'Công khai, minh bạch', 'Hồ sơ được đồng bộ lên Cổng Dịch vụ công quốc gia', 6, 0, 'na', 'Chưa có đồng bộ hồ sơ với Cổng Dịch vụ công quốc gia', 1, 4),
(1, '2.1', 'Tiến độ giải quyết', 'Hồ sơ giải quyết trước, đúng hạn và đang giải quyết trong hạn', 20, 0, 'progress', NULL, 1, 5),
(1, '3.1', 'Dịch vụ công trực tuyến', 'Hồ sơ trực tuyến trên tổng hồ sơ của thủ tục đủ điều kiện trực tuyến toàn trình', 12, 5000, 'online', NULL, 1, 6),
(1, '4.1', 'Thanh toán trực tuyến', 'Thủ tục có dữ liệu phí, lệ phí được đồng bộ', 2, 0, 'na', 'Hệ thống chưa ghi nhận thanh toán trực tuyến', 1, 7),
(1, '4.2', 'Thanh toán trực tuyến', 'Thủ tục có ít nhất một giao dịch thanh toán trực tuyến', 2, 0, 'na', 'Hệ thống chưa ghi nhận thanh toán trực tuyến', 1, 8),
(1, '4.3', 'Thanh toán trực tuyến', 'Hồ sơ thanh toán trực tuyến trên hồ sơ có phí, lệ phí', 6, 0, 'na', 'Hệ thống chưa ghi nhận thanh toán trực tuyến', 1, 9),
(1, '5.1', 'Số hóa hồ sơ', 'Hồ sơ cấp kết quả điện tử', 6, 0, 'electronic_result', NULL, 1, 10),
(1, '5.2', 'Số hóa hồ sơ', 'Hồ sơ được số hóa thành phần', 4, 8000, 'digitised', NULL, 1, 11),
(1, '5.3', 'Số hóa hồ sơ', 'Cấp bản sao điện tử từ sổ gốc, chứng thực điện tử', 2, 0, 'na', 'Hệ thống chưa ghi nhận chứng thực điện tử', 1, 12),
(1, '5.4', 'Số hóa hồ sơ', 'Tái sử dụng dữ liệu đã số hóa', 2, 8000, 'reused', NULL, 1, 13),
(1, '5.5', 'Số hóa hồ sơ', 'Kết nối kho dữ liệu cá nhân, tổ chức', 4, 0, 'na', 'Chưa kết nối kho quản lý dữ liệu điện tử của tổ chức, cá nhân', 1, 14),
(1, '5.6', 'Số hóa hồ sơ', 'Thủ tục khai thác Cơ sở dữ liệu quốc gia về dân cư', 2, 0, 'na', 'Chưa kết nối Cơ sở dữ liệu quốc gia về dân cư', 1, 15),
(1, '5.7', 'Số hóa hồ sơ', 'Hồ sơ khai thác Cơ sở dữ liệu quốc gia về dân cư', 2, 0, 'na', 'Chưa kết nối Cơ sở dữ liệu quốc gia về dân cư', 1, 16),
(1, '6.1', 'Mức độ hài lòng', 'Phản ánh, kiến nghị được xử lý đúng hạn', 6, 0, 'na', 'Hệ thống chưa có phân hệ tiếp nhận phản ánh, kiến nghị', 1, 17),
(1, '6.2', 'Mức độ hài lòng', 'Mức độ hài lòng về xử lý phản ánh, kiến nghị', 6, 0, 'na', 'Hệ thống chưa có phân hệ tiếp nhận phản ánh, kiến nghị', 1, 18),
(1, '6.3', 'Mức độ hài lòng', 'Mức độ hài lòng trong giải quyết hồ sơ (100% trừ tỷ lệ trễ hạn và không hài lòng)', 6, 9000, 'satisfaction', NULL, 1, 19);
