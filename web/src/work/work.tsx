// work.tsx - the one-stop counter and officer workspace (a lazily loaded chunk): queues with
// filters and paging, counter intake, the dossier page with its actions, the control slip.
// Queue filters map one-to-one onto GET /api/v1/dossiers; the server scopes them to the
// officer's units.
import { useEffect, useState } from 'preact/hooks';
import { api, newIdemKey, qs } from '../lib/api';
import { t, tName } from '../lib/i18n';
import { dateTime } from '../lib/format';
import { enc, href, navigate } from '../lib/router';
import { can, isOfficer } from '../lib/session';
import type { Dossier, Page as PageOf, PersonFound, Procedure, ProcedureHit, QueueCounts } from '../lib/types';
import type { RouteProps } from '../main';
import { ActionPanel } from '../ui/actions';
import { DossierFacts, SupplementRequest, Timeline, resultLabel } from '../ui/dossier';
import { FileList, FormLinks, UploadBox, docNames } from '../ui/files';
import { ErrorBox, Field, Loading, Notice, Page, Status, useLoad } from '../ui/ui';
import { Qr, UnitPicker, lookupUrl, useOfferingUnits } from '../portal/submit';

function Guard(props: RouteProps & { children: any }) {
  if (!props.me)
    return (
      <Page title={t('work.title')}>
        <a class="button primary" href={href('/login', { next: '/work' })}>
          {t('nav.login')}
        </a>
      </Page>
    );
  if (!isOfficer(props.me))
    return (
      <Page title={t('work.title')}>
        <p>{t('work.officers_only')}</p>
      </Page>
    );
  return props.children;
}

const TABS = [
  { id: 'new', label: 'work.tab_new', q: { status: 'new' }, count: 'new' },
  { id: 'mine', label: 'work.tab_mine', q: { assignee: 'me' }, count: 'mine' },
  { id: 'soon', label: 'work.tab_soon', q: {}, count: 'due_soon' },
  { id: 'overdue', label: 'work.tab_overdue', q: { overdue: '1' }, count: 'overdue' },
  { id: 'all', label: 'work.tab_all', q: {}, count: 'all' },
] as const;

/** Live queue counts (GET /api/v1/queues/counts): read at once, every 15 s, and whenever the
 * window gets focus or becomes visible again. */
export const COUNTS_EVERY_MS = 15000;
function useQueueCounts(days: number): QueueCounts | null {
  const [counts, setCounts] = useState<QueueCounts | null>(null);
  useEffect(() => {
    let live = true;
    const read = () => {
      if (document.visibilityState === 'hidden') return;
      api<QueueCounts>('GET', '/api/v1/queues/counts' + qs({ days }))
        .then((c) => live && setCounts(c))
        .catch(() => undefined); // the list below shows the server's error; counts just stay
    };
    read();
    const id = setInterval(read, COUNTS_EVERY_MS);
    window.addEventListener('focus', read);
    document.addEventListener('visibilitychange', read);
    return () => {
      live = false;
      clearInterval(id);
      window.removeEventListener('focus', read);
      document.removeEventListener('visibilitychange', read);
    };
  }, [days]);
  return counts;
}

/** A count as shown on a tab: the server counts at most `cap`, so "at least" from there. */
export function countText(n: number | undefined, cap: number | undefined): string {
  if (n === undefined) return '';
  return cap && n >= cap ? `${cap}+` : String(n);
}

function WorkNav(props: { here: string }) {
  return (
    <nav class="subnav" aria-label={t('work.title')}>
      <a href="#/work" aria-current={props.here === 'queues' ? 'page' : undefined}>
        {t('work.queues')}
      </a>
      {can('dossier.receive') && (
        <a href="#/work/intake" aria-current={props.here === 'intake' ? 'page' : undefined}>
          {t('work.intake')}
        </a>
      )}
    </nav>
  );
}

export function Queues(props: RouteProps) {
  const tab = props.query.get('tab') || 'new';
  const step = props.query.get('step') || '';
  const status = props.query.get('status') || '';
  const q = props.query.get('q') || '';
  const soonDays = Number(props.query.get('days') || 3);
  const [cursor, setCursor] = useState<string[]>([]);
  const [qInput, setQInput] = useState(q);
  const [refreshed, setRefreshed] = useState(Date.now());
  useEffect(() => setCursor([]), [tab, step, status, q, soonDays]);
  const def = TABS.find((x) => x.id === tab) || TABS[0];
  const after = cursor[cursor.length - 1];
  const params: Record<string, string | number | undefined> = { ...def.q, after, limit: 25 };
  const counts = useQueueCounts(soonDays);
  if (tab === 'soon') {
    // the same window the count used: open dossiers due from now until `days` ahead
    const now = Math.floor(Date.now() / 1000);
    params.due_after = now;
    params.due_before = now + soonDays * 86400;
  }
  if (step) params.step = step;
  if (status && tab !== 'new') params.status = status;
  if (q) params.q = q;
  const res = useLoad(() => api<PageOf<Dossier>>('GET', '/api/v1/dossiers' + qs(params)), [tab, step, status, q, soonDays, after, refreshed]);
  // the whole queue as shown (every page, same filters and order) as XLSX, made by the server
  const { after: _page, limit: _size, ...exportParams } = params;
  // keep the list live: re-read it when the count of its queue changes (counts poll every
  // 15 s and on focus), and at least every 60 s
  const shownCount = counts ? counts[def.count] : undefined;
  useEffect(() => {
    if (shownCount !== undefined) setRefreshed(Date.now());
  }, [shownCount]);
  useEffect(() => {
    const id = setInterval(() => setRefreshed(Date.now()), 60000);
    return () => clearInterval(id);
  }, []);
  const setQ = (patch: Record<string, string | undefined>) =>
    navigate('/work', { tab, step, status, q, days: tab === 'soon' ? soonDays : undefined, ...patch });
  return (
    <Guard {...props}>
      <Page title={t('work.title')} wide>
        <WorkNav here="queues" />
        <div class="tabs" role="tablist" aria-label={t('work.queues')}>
          {TABS.map((x) => (
            <a key={x.id} role="tab" aria-selected={tab === x.id} href={href('/work', { tab: x.id })} data-tab={x.id}>
              {t(x.label)}
              {counts && (
                <span class={'count' + (x.id === 'overdue' && counts.overdue ? ' late' : '')} data-count={x.count}>
                  {countText(counts[x.count], counts.cap)}
                </span>
              )}
            </a>
          ))}
        </div>
        <p class="sr-only" aria-live="polite">
          {counts ? TABS.map((x) => `${t(x.label)}: ${countText(counts[x.count], counts.cap)}`).join(', ') : ''}
        </p>
        {counts && counts.by_step.length > 0 && (
          <p class="small by-step">
            {t('work.by_step')}:{' '}
            {counts.by_step.map((b, i) => (
              <span key={b.step}>
                {i > 0 && ' · '}
                <a href={href('/work', { tab: 'all', step: b.step })}>{t('work.step_n', { n: b.step, count: b.count })}</a>
              </span>
            ))}
          </p>
        )}
        <form
          class="filters row wrap"
          onSubmit={(e) => {
            e.preventDefault();
            setQ({ q: qInput.trim() || undefined });
          }}
        >
          <Field label={t('work.filter_q')}>
            {(id) => <input id={id} type="search" value={qInput} onInput={(e) => setQInput(e.currentTarget.value)} />}
          </Field>
          <Field label={t('work.filter_step')}>
            {(id) => <input id={id} type="number" min={1} max={30} value={step} onChange={(e) => setQ({ step: e.currentTarget.value || undefined })} />}
          </Field>
          {tab !== 'new' && (
            <Field label={t('dossier.status')}>
              {(id) => (
                <select id={id} value={status} onChange={(e) => setQ({ status: e.currentTarget.value || undefined })}>
                  <option value="">{t('common.all')}</option>
                  {[1, 2, 4, 5, 6, 9].map((s) => (
                    <option key={s} value={s}>
                      {tName('status', String(s))}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
          {tab === 'soon' && (
            <Field label={t('work.soon_days')}>
              {(id) => (
                <select id={id} value={soonDays} onChange={(e) => setQ({ days: e.currentTarget.value })}>
                  {[1, 2, 3, 5, 7].map((n) => (
                    <option key={n} value={n}>
                      {n}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
          <button type="submit">{t('home.search_btn')}</button>
        </form>
        <p class="muted small" aria-live="polite">
          {res.data ? t('work.shown', { n: res.data.items.length, more: res.data.next ? '+' : '' }) : ''} · {t('work.refreshed', { at: new Date(refreshed).toLocaleTimeString() })}{' '}
          <button type="button" class="link" onClick={() => setRefreshed(Date.now())}>
            {t('work.refresh')}
          </button>{' '}
          · <a href={'/api/v1/dossiers/export.xlsx' + qs(exportParams)} download data-testid="queue-export">
            {t('work.export')}
          </a>
        </p>
        <ErrorBox error={res.error} />
        {res.loading && !res.data && <Loading />}
        {res.data && (
          <div class="table-wrap" tabIndex={0}>
            <table class="queue">
              <caption class="sr-only">{t(def.label)}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('dossier.code')}</th>
                  <th scope="col">{t('proc.title')}</th>
                  <th scope="col">{t('dossier.status')}</th>
                  <th scope="col">{t('work.step')}</th>
                  <th scope="col">{t('work.step_due')}</th>
                  <th scope="col">{t('dossier.due')}</th>
                </tr>
              </thead>
              <tbody>
                {res.data.items.length === 0 && (
                  <tr>
                    <td colSpan={6}>{t('work.empty')}</td>
                  </tr>
                )}
                {res.data.items.map((d) => {
                  const late = d.current_due_at && !d.ended_at && d.current_due_at * 1000 < Date.now();
                  return (
                    <tr key={d.code} class={late ? 'late' : ''}>
                      <td>
                        <a href={'#/work/d/' + enc(d.code)}>{d.code}</a>
                      </td>
                      <td>{d.procedure_name}</td>
                      <td>
                        <Status status={d.status} name={d.status_name} title={d.status_title} />
                      </td>
                      <td>{d.current_step || ''}</td>
                      <td>{dateTime(d.step_due_at)}</td>
                      <td>
                        {dateTime(d.current_due_at)}
                        {late && <strong class="late-tag"> {t('dossier.overdue')}</strong>}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        <nav class="pager" aria-label={t('common.pages')}>
          <button type="button" disabled={!cursor.length} onClick={() => setCursor(cursor.slice(0, -1))}>
            {t('common.prev')}
          </button>
          <button type="button" disabled={!res.data?.next} onClick={() => setCursor([...cursor, res.data!.next!])}>
            {t('common.next')}
          </button>
        </nav>
      </Page>
    </Guard>
  );
}

export function Intake(props: RouteProps) {
  const [pq, setPq] = useState('');
  const [hits, setHits] = useState<ProcedureHit[]>([]);
  const [proc, setProc] = useState<Procedure | null>(null);
  const [variant, setVariant] = useState('');
  const [unit, setUnit] = useState('');
  const [person, setPerson] = useState({ applicant_id: '', applicant_name: '', applicant_phone: '' });
  const [found, setFound] = useState<PersonFound | null>(null);
  const [finding, setFinding] = useState(false);
  const [docs, setDocs] = useState<Record<string, { on: boolean; originals: number; copies: number }>>({});
  const [delivery, setDelivery] = useState('counter');
  const [acceptNow, setAcceptNow] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [idem, setIdem] = useState(newIdemKey());
  const offering = useOfferingUnits(proc);
  const v = proc ? proc.variants.find((x) => x.code === variant) || proc.variants[0] : null;

  // the counter finds the person's account by ID number (POST: the number stays out of URLs
  // and logs; the server audits the look-up) and fills in what the account holds
  async function findPerson() {
    setError(null);
    setFound(null);
    setFinding(true);
    try {
      const r = await api<PersonFound>('POST', '/api/v1/persons/lookup', { personal_id: person.applicant_id.trim() });
      setFound(r);
      if (r.found) setPerson({ ...person, applicant_name: r.full_name || person.applicant_name, applicant_phone: r.phone || person.applicant_phone });
    } catch (err) {
      setError(err);
    } finally {
      setFinding(false);
    }
  }
  async function search(e: Event) {
    e.preventDefault();
    setError(null);
    try {
      setHits((await api<PageOf<ProcedureHit>>('GET', '/api/v1/procedures' + qs({ q: pq, limit: 10 }))).items);
    } catch (err) {
      setError(err);
    }
  }
  async function pick(code: string) {
    setError(null);
    try {
      const p = await api<Procedure>('GET', '/api/v1/procedures/' + enc(code));
      setProc(p);
      const dv = p.variants.find((x) => x.default) || p.variants[0];
      setVariant(dv.code);
      setUnit('');
      const m: typeof docs = {};
      dv.documents.forEach((d, i) => (m[d.code || 'DOC' + i] = { on: false, originals: d.originals, copies: d.copies }));
      setDocs(m);
      setHits([]);
    } catch (err) {
      setError(err);
    }
  }
  async function submit(e: Event) {
    e.preventDefault();
    if (!proc || !v) return;
    setBusy(true);
    setError(null);
    const documents = v.documents
      .map((d, i) => ({ d, s: docs[d.code || 'DOC' + i] }))
      .filter((x) => x.s?.on && x.d.code)
      .map((x) => ({ code: x.d.code!, originals: x.s.originals, copies: x.s.copies }));
    try {
      const r = await api<Dossier>(
        'POST',
        '/api/v1/dossiers/intake',
        {
          procedure_code: proc.code,
          variant_code: v.code,
          competent_unit_id: Number(unit) || null,
          delivery,
          applicant_id: person.applicant_id.trim() || null,
          applicant_name: person.applicant_name.trim() || null,
          applicant_phone: person.applicant_phone.trim() || null,
          applicant_account_id: found?.found ? found.account_id : null,
          channel: 1,
          accept_now: acceptNow,
          documents,
        },
        { idem },
      );
      setIdem(newIdemKey());
      navigate('/work/d/' + enc(r.code), { receipt: 1 });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Guard {...props}>
      <Page title={t('intake.title')} wide>
        <WorkNav here="intake" />
        <ErrorBox error={error} />
        <form onSubmit={submit} class="intake">
          <fieldset>
            <legend>{t('intake.person')}</legend>
            <div class="row wrap">
              <Field label={t('reg.personal_id')} hint={t('intake.find_hint') + '. ' + t('intake.id_hint')}>
                {(id, by) => (
                  <input
                    id={id}
                    aria-describedby={by}
                    inputMode="numeric"
                    autoComplete="off"
                    value={person.applicant_id}
                    onInput={(e) => {
                      setPerson({ ...person, applicant_id: e.currentTarget.value });
                      setFound(null);
                    }}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter') {
                        e.preventDefault();
                        findPerson();
                      }
                    }}
                  />
                )}
              </Field>
              <button type="button" class="find-person" disabled={finding || !person.applicant_id.trim()} onClick={findPerson}>
                {t('intake.find')}
              </button>
            </div>
            <div aria-live="polite" class="person-found">
              {found && !found.found && <Notice kind="info">{t('intake.not_found')}</Notice>}
              {found?.found && (
                <Notice kind="ok">
                  {t('intake.found', { name: found.full_name || '' })} {t('intake.linked', { id: found.account_id! })}
                </Notice>
              )}
              {found?.found && found.dossiers && found.dossiers.length > 0 && (
                <details>
                  <summary>
                    {t('intake.earlier')} ({found.dossiers.length})
                  </summary>
                  <ul>
                    {found.dossiers.map((x) => (
                      <li key={x.code}>
                        <a href={'#/work/d/' + enc(x.code)}>{x.code}</a> — {x.procedure_name} · {tName('status', String(x.status), x.status_name)} · {dateTime(x.submitted_at)}
                      </li>
                    ))}
                  </ul>
                </details>
              )}
            </div>
            <div class="row wrap">
              <Field label={t('reg.full_name')} required>
                {(id) => <input id={id} required value={person.applicant_name} onInput={(e) => setPerson({ ...person, applicant_name: e.currentTarget.value })} />}
              </Field>
              <Field label={t('wiz.phone')}>
                {(id) => <input id={id} type="tel" value={person.applicant_phone} onInput={(e) => setPerson({ ...person, applicant_phone: e.currentTarget.value })} />}
              </Field>
            </div>
          </fieldset>
          <fieldset>
            <legend>{t('intake.procedure')}</legend>
            {proc ? (
              <p>
                <strong>{proc.name}</strong> ({proc.code}){' '}
                <button type="button" class="link" onClick={() => setProc(null)}>
                  {t('intake.change')}
                </button>
              </p>
            ) : (
              <div>
                <div class="row">
                  <Field label={t('home.search_label')} hint={t('home.search_hint')}>
                    {(id, by) => (
                      <input
                        id={id}
                        aria-describedby={by}
                        type="search"
                        value={pq}
                        onInput={(e) => setPq(e.currentTarget.value)}
                        onKeyDown={(e) => e.key === 'Enter' && search(e)}
                      />
                    )}
                  </Field>
                  <button type="button" onClick={search}>
                    {t('home.search_btn')}
                  </button>
                </div>
                <ul class="picklist">
                  {hits.map((h) => (
                    <li key={h.code}>
                      <button type="button" class="link" onClick={() => pick(h.code)}>
                        {h.code} — {h.name}
                      </button>
                    </li>
                  ))}
                </ul>
              </div>
            )}
            {proc && v && (
              <>
                {proc.variants.length > 1 && (
                  <Field label={t('proc.variant')}>
                    {(id) => (
                      <select id={id} value={variant} onChange={(e) => setVariant(e.currentTarget.value)}>
                        {proc.variants.map((x) => (
                          <option key={x.code} value={x.code}>
                            {x.name}
                          </option>
                        ))}
                      </select>
                    )}
                  </Field>
                )}
                <UnitPicker label={t('wiz.competent')} units={offering} value={Number(unit) || null} onChange={(id) => setUnit(id ? String(id) : '')} required />
                <fieldset>
                  <legend>{t('intake.docs')}</legend>
                  <ul class="docs">
                    {v.documents.map((d, i) => {
                      const k = d.code || 'DOC' + i;
                      const s = docs[k] || { on: false, originals: d.originals, copies: d.copies };
                      return (
                        <li key={k}>
                          <label class="check">
                            <input type="checkbox" checked={s.on} onChange={(e) => setDocs({ ...docs, [k]: { ...s, on: e.currentTarget.checked } })} />
                            <span>
                              {d.name} {d.required && <strong class="req">({t('proc.required')})</strong>}
                            </span>
                          </label>
                        </li>
                      );
                    })}
                  </ul>
                  <button
                    type="button"
                    onClick={() => {
                      const m = { ...docs };
                      v.documents.forEach((d, i) => {
                        const k = d.code || 'DOC' + i;
                        m[k] = { ...(m[k] || { originals: d.originals, copies: d.copies }), on: true };
                      });
                      setDocs(m);
                    }}
                  >
                    {t('intake.all_docs')}
                  </button>
                </fieldset>
                <Field label={t('wiz.delivery')}>
                  {(id) => (
                    <select id={id} value={delivery} onChange={(e) => setDelivery(e.currentTarget.value)}>
                      {['counter', 'post', 'electronic'].map((x) => (
                        <option key={x} value={x}>
                          {tName('delivery', x)}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
                <label class="check">
                  <input type="checkbox" checked={acceptNow} onChange={(e) => setAcceptNow(e.currentTarget.checked)} /> {t('intake.accept_now')}
                </label>
              </>
            )}
          </fieldset>
          <button type="submit" class="primary" disabled={!proc || busy}>
            {acceptNow ? t('intake.submit_accept') : t('intake.submit')}
          </button>
        </form>
      </Page>
    </Guard>
  );
}

export function DossierPage(props: RouteProps) {
  const code = props.params.code;
  const res = useLoad(() => api<Dossier>('GET', '/api/v1/dossiers/' + enc(code)), [code]);
  const receipt = props.query.get('receipt') === '1';
  const [files, setFiles] = useState(0);
  return (
    <Guard {...props}>
      {res.loading && !res.data ? (
        <Loading />
      ) : !res.data ? (
        <Page title={t('my.dossier')}>
          <ErrorBox error={res.error} />
        </Page>
      ) : (
        <Page title={`${t('my.dossier')} ${res.data.code}`} wide>
          <WorkNav here="" />
          {receipt && (
            <div class="panel ok receipt">
              <div>
                <p>{t('intake.done')}</p>
                <p class="bigcode">{res.data.code}</p>
                <p>
                  {t('dossier.due')}: <strong>{dateTime(res.data.current_due_at) || '—'}</strong>
                </p>
              </div>
              <Qr text={lookupUrl(res.data.code)} label={t('receipt.qr', { code: res.data.code })} />
              <p class="no-print">
                <button type="button" onClick={() => window.print()}>
                  {t('intake.print_receipt')}
                </button>
              </p>
            </div>
          )}
          <div class="two-col">
            <div>
              <SupplementRequest d={res.data} />
              <DossierFacts d={res.data} personal />
              <h2>{t('dossier.documents')}</h2>
              <div class="table-wrap" tabIndex={0}>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('proc.doc_name')}</th>
                      <th scope="col">{t('proc.originals')}</th>
                      <th scope="col">{t('proc.copies')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {(res.data.documents || []).map((d) => (
                      <tr key={d.code}>
                        <td>{d.name || d.code}</td>
                        <td>{d.originals}</td>
                        <td>{d.copies}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <h2>{t('file.title')}</h2>
              <FileList code={res.data.code} reload={files} names={docNames(res.data)} />
              <details class="panel">
                <summary>{t('file.officer_add')}</summary>
                <UploadBox d={res.data} onUploaded={() => setFiles(files + 1)} />
                <h3>{t('file.kind_result')}</h3>
                <UploadBox d={res.data} kind="result" onUploaded={() => setFiles(files + 1)} />
              </details>
              {res.data.form_data && Object.keys(res.data.form_data).length > 0 && (
                <>
                  <h2>{t('dossier.form')}</h2>
                  <dl class="facts">
                    {Object.entries(res.data.form_data).map(([k, val]) => (
                      <>
                        <dt>{k}</dt>
                        <dd>{typeof val === 'string' ? val : JSON.stringify(val)}</dd>
                      </>
                    ))}
                  </dl>
                </>
              )}
            </div>
            <div>
              <ActionPanel d={res.data} onDone={(nd) => (res.set({ ...res.data!, ...nd }), res.reload())} />
              <p>
                <a class="button" href={'#/work/d/' + enc(res.data.code) + '/slip'}>
                  {t('slip.title')}
                </a>
              </p>
              <h2>{t('form.title')}</h2>
              <FormLinks d={res.data} />
              <h2>{t('dossier.timeline')}</h2>
              <Timeline events={res.data.events || []} />
            </div>
          </div>
        </Page>
      )}
    </Guard>
  );
}

interface SlipRow {
  action: string;
  giver: string;
  giver_account_id: number | null;
  receiver_account_id: number | null;
  step: number | null;
  to_step: number | null;
  step_started_at: number | null;
  handed_at: number;
  step_due_at: number | null;
  result: string | null;
}

export function ControlSlip(props: RouteProps) {
  const code = props.params.code;
  const res = useLoad(
    () => api<{ code: string; due_at: number | null; current_due_at: number | null; rows: SlipRow[] }>('GET', `/api/v1/dossiers/${enc(code)}/control-slip`),
    [code],
  );
  return (
    <Guard {...props}>
      <Page title={t('slip.title')} wide>
        <ErrorBox error={res.error} />
        {res.loading && <Loading />}
        {res.data && (
          <>
            <p>
              {t('dossier.code')}: <strong>{res.data.code}</strong> · {t('dossier.due')}: {dateTime(res.data.current_due_at)}
            </p>
            <div class="table-wrap" tabIndex={0}>
              <table class="slip">
                <thead>
                  <tr>
                    <th scope="col">{t('slip.step')}</th>
                    <th scope="col">{t('slip.action')}</th>
                    <th scope="col">{t('slip.giver')}</th>
                    <th scope="col">{t('slip.receiver')}</th>
                    <th scope="col">{t('slip.started')}</th>
                    <th scope="col">{t('slip.handed')}</th>
                    <th scope="col">{t('slip.due')}</th>
                    <th scope="col">{t('slip.result')}</th>
                  </tr>
                </thead>
                <tbody>
                  {res.data.rows.map((r, i) => (
                    <tr key={i}>
                      <td>
                        {r.step ?? ''}
                        {r.to_step && r.to_step !== r.step ? ` → ${r.to_step}` : ''}
                      </td>
                      <td>{tName('action', r.action)}</td>
                      <td>{r.giver}</td>
                      <td>{r.receiver_account_id ? '#' + r.receiver_account_id : ''}</td>
                      <td>{dateTime(r.step_started_at)}</td>
                      <td>{dateTime(r.handed_at)}</td>
                      <td>{dateTime(r.step_due_at)}</td>
                      <td class={r.result ? 'result ' + r.result : ''}>{resultLabel(r.result)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <p class="no-print">
              <button type="button" onClick={() => window.print()}>
                {t('common.print')}
              </button>{' '}
              <a class="button" href={'#/work/d/' + enc(code)}>
                {t('common.back')}
              </a>
            </p>
          </>
        )}
      </Page>
    </Guard>
  );
}
