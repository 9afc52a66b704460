// account.tsx - sign-in and registration (citizen or business). The server validates the
// personal ID, tax code, phone and password and names the offending field.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../lib/api';
import { t } from '../lib/i18n';
import { navigate } from '../lib/router';
import { login, isAdmin, isApplicant, isOfficer, type Me } from '../lib/session';
import type { RouteProps } from '../main';
import { ErrorBox, Field, Page, errorText } from '../ui/ui';

export function homeOf(m: Me): string {
  if (isApplicant(m)) return '/my';
  if (isOfficer(m)) return '/work';
  if (isAdmin(m)) return '/admin';
  return '/';
}

function goNext(next: string | null, m: Me) {
  if (m.totp_enrolment_required) navigate('/account/security'); // the session may only enrol
  else if (next && next.startsWith('/')) location.hash = next;
  else navigate(homeOf(m));
}

export function Login(props: RouteProps) {
  const [name, setName] = useState('');
  const [pw, setPw] = useState('');
  const [code, setCode] = useState('');
  const [needCode, setNeedCode] = useState(false); // the account has a second factor (TOTP)
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  if (props.me)
    return (
      <Page title={t('login.title')}>
        <p>{t('login.already', { name: props.me.full_name })}</p>
        <a class="button" href={'#' + homeOf(props.me)}>
          {t('common.continue')}
        </a>
      </Page>
    );
  return (
    <Page title={t('login.title')}>
      <form
        class="narrow"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            const m = await login(name.trim(), pw, needCode ? code.trim() : undefined);
            goNext(props.query.get('next'), m);
          } catch (err) {
            if (err instanceof ApiError && err.code === 'totp_required' && !needCode) setNeedCode(true);
            else setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <ErrorBox error={error} />
        <Field label={t('login.name')} hint={t('login.name_hint')} required>
          {(id, by) => <input id={id} aria-describedby={by} name="login" autoComplete="username" required value={name} onInput={(e) => setName(e.currentTarget.value)} />}
        </Field>
        <Field label={t('login.password')} required>
          {(id) => <input id={id} type="password" name="password" autoComplete="current-password" required value={pw} onInput={(e) => setPw(e.currentTarget.value)} />}
        </Field>
        {needCode && (
          <Field label={t('login.totp')} hint={t('login.totp_hint')} required>
            {(id, by) => <input id={id} aria-describedby={by} name="totp_code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} required value={code} onInput={(e) => setCode(e.currentTarget.value)} />}
          </Field>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {t('login.btn')}
        </button>
        <p>
          {t('login.no_account')} <a href="#/register">{t('nav.register')}</a>
        </p>
      </form>
    </Page>
  );
}

const CITIZEN = [
  { name: 'full_name', label: 'reg.full_name', required: true, auto: 'name' },
  { name: 'personal_id', label: 'reg.personal_id', required: true, hint: 'reg.personal_id_hint', mode: 'numeric' },
  { name: 'phone', label: 'wiz.phone', auto: 'tel', type: 'tel' },
  { name: 'email', label: 'reg.email', auto: 'email', type: 'email' },
  { name: 'password', label: 'login.password', required: true, type: 'password', auto: 'new-password', hint: 'reg.password_hint' },
] as const;
const BUSINESS = [
  { name: 'tax_code', label: 'reg.tax_code', required: true, hint: 'reg.tax_code_hint', mode: 'numeric' },
  { name: 'name', label: 'reg.business_name', required: true, auto: 'organization' },
  { name: 'representative_name', label: 'reg.representative', auto: 'name' },
  { name: 'phone', label: 'wiz.phone', auto: 'tel', type: 'tel' },
  { name: 'email', label: 'reg.email', auto: 'email', type: 'email' },
  { name: 'password', label: 'login.password', required: true, type: 'password', auto: 'new-password', hint: 'reg.password_hint' },
] as const;

export function Register(_: RouteProps) {
  const [kind, setKind] = useState<'citizen' | 'business'>('citizen');
  const [v, setV] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const fields = kind === 'citizen' ? CITIZEN : BUSINESS;
  const fieldErr = (n: string) => (error instanceof ApiError && error.field === n ? errorText(error).detail : null);
  return (
    <Page title={t('reg.title')}>
      <fieldset class="radios">
        <legend>{t('reg.kind')}</legend>
        <label>
          <input type="radio" name="kind" checked={kind === 'citizen'} onChange={() => setKind('citizen')} /> {t('reg.citizen')}
        </label>
        <label>
          <input type="radio" name="kind" checked={kind === 'business'} onChange={() => setKind('business')} /> {t('reg.business')}
        </label>
      </fieldset>
      <form
        class="narrow"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          const body: Record<string, string | null> = {};
          for (const f of fields) body[f.name] = (v[f.name] || '').trim() || (f.name === 'password' ? v[f.name] || '' : null);
          try {
            await api('POST', '/api/v1/auth/register/' + kind, body);
            const m = await login(kind === 'citizen' ? body.personal_id! : body.tax_code!, v.password || '');
            navigate(homeOf(m));
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <ErrorBox error={error} />
        {fields.map((f) => (
          <Field key={kind + f.name} label={t(f.label)} hint={'hint' in f ? t(f.hint) : undefined} required={'required' in f} error={fieldErr(f.name)}>
            {(id, by) => (
              <input
                id={id}
                aria-describedby={by}
                name={f.name}
                type={'type' in f ? f.type : 'text'}
                inputMode={'mode' in f ? f.mode : undefined}
                autoComplete={'auto' in f ? f.auto : 'off'}
                required={'required' in f}
                value={v[f.name] || ''}
                onInput={(e) => setV({ ...v, [f.name]: e.currentTarget.value })}
              />
            )}
          </Field>
        ))}
        <button type="submit" class="primary" disabled={busy}>
          {t('reg.btn')}
        </button>
      </form>
    </Page>
  );
}
