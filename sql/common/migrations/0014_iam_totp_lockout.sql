-- 0014_iam_totp_lockout: officer accounts' second factor and lockout (src/iam/mfa.c).
-- totp_secret is the confirmed RFC 6238 secret (base32), totp_pending one shown at enrolment
-- and not yet confirmed by a first code; totp_last_step the last accepted time step (a code
-- is accepted once). failed_logins counts consecutive failed logins; locked_at is set when
-- it reaches login.lockout_failures and cleared only by an administrator (unlock).
-- session.totp_enrol_only marks a session of a person whose role requires TOTP but who has
-- not enrolled yet: it carries no permission but "authenticated" until enrolment.
ALTER TABLE account ADD COLUMN totp_secret TEXT;
ALTER TABLE account ADD COLUMN totp_pending TEXT;
ALTER TABLE account ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
ALTER TABLE account ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE account ADD COLUMN locked_at BIGINT;
ALTER TABLE session ADD COLUMN totp_enrol_only INTEGER NOT NULL DEFAULT 0;
