// lookup.tsx - status lookup by dossier code plus a second factor (the applicant's phone or
// the last 4 characters of the ID); the public answer carries no personal data.
import { useEffect, useState } from 'preact/hooks';
import { api, qs } from '../lib/api';
import { t } from '../lib/i18n';
import { enc } from '../lib/router';
import type { Dossier } from '../lib/types';
import type { RouteProps } from '../main';
import { DossierFacts, Timeline } from '../ui/dossier';
import { ErrorBox, Field } from '../ui/ui';
import { Page } from '../ui/ui';

export function Lookup(props: RouteProps) {
  const [code, setCode] = useState(props.query.get('code') || '');
  const [by, setBy] = useState<'phone' | 'id_last4'>('phone');
  const [secret, setSecret] = useState('');
  const [res, setRes] = useState<Dossier | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setCode(props.query.get('code') || ''), [props.query.get('code')]);

  async function find(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setRes(null);
    try {
      setRes(await api<Dossier>('GET', '/api/v1/public/dossiers/' + enc(code.trim()) + qs({ [by]: secret.trim() })));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Page title={t('lookup.title')}>
      <p>{t('lookup.lead')}</p>
      <form onSubmit={find} class="narrow">
        <Field label={t('dossier.code')} hint={t('lookup.code_hint')} required>
          {(id, d) => <input id={id} aria-describedby={d} required value={code} onInput={(e) => setCode(e.currentTarget.value)} autoComplete="off" />}
        </Field>
        <fieldset class="radios">
          <legend>{t('lookup.factor')}</legend>
          <label>
            <input type="radio" name="by" checked={by === 'phone'} onChange={() => setBy('phone')} /> {t('lookup.by_phone')}
          </label>
          <label>
            <input type="radio" name="by" checked={by === 'id_last4'} onChange={() => setBy('id_last4')} /> {t('lookup.by_id')}
          </label>
        </fieldset>
        <Field label={by === 'phone' ? t('lookup.by_phone') : t('lookup.by_id')} required>
          {(id) => <input id={id} required inputMode={by === 'phone' ? 'tel' : 'text'} value={secret} onInput={(e) => setSecret(e.currentTarget.value)} autoComplete="off" />}
        </Field>
        <button type="submit" class="primary" disabled={busy}>
          {t('lookup.btn')}
        </button>
      </form>
      <ErrorBox error={error} />
      {res && (
        <section aria-live="polite" class="panel">
          <h2>{t('lookup.result')}</h2>
          <DossierFacts d={res} />
          <h3>{t('dossier.timeline')}</h3>
          <Timeline events={res.timeline || []} />
        </section>
      )}
    </Page>
  );
}
