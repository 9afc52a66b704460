-- iam_mfa.sql - named queries of src/iam/mfa.c and the lockout in auth.c / account.c
-- (migration 0014). Both SQLite 3.40 and PostgreSQL 15 run these as written.

-- name: iam_login_failed_account
-- One more consecutive failure; locks when it reaches $2 (> 0) and is not locked yet.
UPDATE account
SET failed_logins = failed_logins + 1,
	locked_at = CASE WHEN locked_at IS NULL AND $2 > 0 AND failed_logins + 1 >= $2 THEN $3
		ELSE locked_at END
WHERE id = $1
RETURNING failed_logins, locked_at;

-- name: iam_login_ok_account
UPDATE account SET failed_logins = 0 WHERE id = $1 AND failed_logins <> 0;

-- name: iam_account_lock_state
SELECT locked_at, failed_logins FROM account WHERE id = $1;

-- name: iam_account_unlock
UPDATE account SET failed_logins = 0, locked_at = NULL WHERE id = $1;

-- name: iam_totp_use_step
-- A code is good once: only a later time step than the last accepted one is taken.
UPDATE account SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2;

-- name: iam_totp_state
SELECT totp_secret, totp_pending, username, id FROM account WHERE id = $1;

-- name: iam_totp_set_pending
UPDATE account SET totp_pending = $2 WHERE id = $1 AND totp_secret IS NULL;

-- name: iam_totp_enable
UPDATE account SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = $3
WHERE id = $1 AND totp_pending = $2 AND totp_secret IS NULL;

-- name: iam_totp_clear
UPDATE account SET totp_secret = NULL, totp_pending = NULL, totp_last_step = 0 WHERE id = $1;

-- name: iam_sessions_enrolled
UPDATE session SET totp_enrol_only = 0 WHERE account_id = $1 AND totp_enrol_only <> 0;
