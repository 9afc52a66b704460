-- calendar.sql - named queries of the working calendar (src/calendar/calendar_store.c).
-- Dates are yyyymmdd integers; settings are text values parsed in C. Accepted by both
-- SQLite 3.40 and PostgreSQL 15 (ON CONFLICT upserts).

-- name: cal_stamp
-- the calendar's revision (migration 0023: raised by every change of its tables)
SELECT revision FROM calendar_stamp WHERE id = 1

-- name: cal_setting_list
SELECT key, value FROM calendar_setting ORDER BY key

-- name: cal_setting_put
-- $1 key, $2 value
INSERT INTO calendar_setting (key, value) VALUES ($1, $2)
ON CONFLICT (key) DO UPDATE SET value = excluded.value

-- name: cal_day_range
-- $1 first date, $2 last date (yyyymmdd, inclusive)
SELECT date, kind, name, source, updated_at FROM calendar_day
WHERE date BETWEEN $1 AND $2
ORDER BY date

-- name: cal_day_get
SELECT date, kind, name, source, updated_at FROM calendar_day WHERE date = $1

-- name: cal_day_put
-- $1 date, $2 kind, $3 name, $4 source, $5 now: insert or replace
INSERT INTO calendar_day (date, kind, name, source, updated_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (date) DO UPDATE
SET kind = excluded.kind, name = excluded.name, source = excluded.source,
    updated_at = excluded.updated_at

-- name: cal_day_put_if_absent
-- $1 date, $2 kind, $3 name, $4 source, $5 now: keeps an existing row (an admin's edit)
INSERT INTO calendar_day (date, kind, name, source, updated_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (date) DO NOTHING

-- name: cal_day_delete
DELETE FROM calendar_day WHERE date = $1

-- name: cal_day_delete_suggested
-- $1 first date, $2 last date: drops the rows that came from a suggestion, keeps admins'
DELETE FROM calendar_day WHERE date BETWEEN $1 AND $2 AND source <> 'admin'
