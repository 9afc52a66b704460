// security.tsx - two-factor enrolment for the signed-in person (#/account/security, a lazy
// chunk): POST /api/v1/auth/totp/enrol gives a secret and its otpauth:// URI once, shown as a QR
// code and as text; POST /api/v1/auth/totp/confirm {code} turns it on. The server checks
// everything (already on: 409; wrong code: 401), and its answer is shown in place. After a
// login that said `totp_enrolment_required` the person lands here; the session gets its
// permissions once the confirmation went through (the account is read again).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { t } from '../../lib/i18n';
import { href } from '../../lib/router';
import { loadMe } from '../../lib/session';
import type { RouteProps } from '../../main';
import { homeOf } from '../../portal/account';
import { Qr } from '../../portal/submit';
import { ErrorBox, Field, Notice, Page } from '../../ui/ui';
import { groupSecret, tx } from './text';

interface Enrolment {
  secret: string;
  otpauth_uri: string;
  digits: number;
  period: number;
}

export function Security(props: RouteProps) {
  const [enr, setEnr] = useState<Enrolment | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const step2 = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (enr) step2.current?.focus();
  }, [enr]);
  if (!props.me)
    return (
      <Page title={tx('sec.title')}>
        <a class="button primary" href={href('/login', { next: '/account/security' })}>
          {t('nav.login')}
        </a>
      </Page>
    );
  const required = !!props.me.totp_enrolment_required;
  return (
    <Page title={tx('sec.title')}>
      <p>{tx('sec.lead')}</p>
      {required && !done && <Notice kind="warn">{tx('sec.required')}</Notice>}
      <ErrorBox error={error} />
      {done ? (
        <>
          <Notice kind="ok">{tx('sec.done')}</Notice>
          <p>{tx('sec.lost')}</p>
          <a class="button primary" href={'#' + homeOf(props.me)}>
            {tx('sec.continue')}
          </a>
        </>
      ) : (
        <>
          <h2>{tx('sec.step1')}</h2>
          <button
            type="button"
            class={enr ? '' : 'primary'}
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              setError(null);
              try {
                setEnr(await api<Enrolment>('POST', '/api/v1/auth/totp/enrol'));
                setCode('');
              } catch (e) {
                setError(e);
              } finally {
                setBusy(false);
              }
            }}
          >
            {enr ? tx('sec.again') : tx('sec.start')}
          </button>
          {enr && (
            <>
              <h2 tabIndex={-1} ref={step2}>
                {tx('sec.step2')}
              </h2>
              <p>{tx('sec.scan')}</p>
              <Qr text={enr.otpauth_uri} label={tx('sec.qr')} />
              <p>
                {tx('sec.secret')}:{' '}
                <code class="secret" data-testid="totp-secret" data-secret={enr.secret}>
                  {groupSecret(enr.secret)}
                </code>
              </p>
              <form
                class="narrow"
                onSubmit={async (e) => {
                  e.preventDefault();
                  setBusy(true);
                  setError(null);
                  try {
                    await api('POST', '/api/v1/auth/totp/confirm', { code: code.trim() });
                    await loadMe(); // the session now carries the person's permissions
                    setDone(true);
                  } catch (err) {
                    setError(err);
                  } finally {
                    setBusy(false);
                  }
                }}
              >
                <h2>{tx('sec.step3')}</h2>
                <Field label={tx('sec.code')} hint={tx('sec.code_hint', { p: enr.period })} required>
                  {(id, by) => (
                    <input
                      id={id}
                      aria-describedby={by}
                      name="totp_code"
                      inputMode="numeric"
                      autoComplete="one-time-code"
                      pattern="[0-9]{6}"
                      maxLength={6}
                      required
                      value={code}
                      onInput={(e) => setCode(e.currentTarget.value)}
                    />
                  )}
                </Field>
                <button type="submit" class="primary" disabled={busy}>
                  {tx('sec.confirm')}
                </button>
              </form>
            </>
          )}
        </>
      )}
    </Page>
  );
}
