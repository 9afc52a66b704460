// submit.tsx - the online submission wizard (one per case variant) and the receipt.
// The draft is autosaved on every change (lib/draft.ts) and keeps its Idempotency-Key, so a
// submit retried after a lost connection cannot create two dossiers. Required documents and
// fields are checked by the server, which lists everything missing at once.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiError } from '../lib/api';
import { t, tName } from '../lib/i18n';
import { dateTime } from '../lib/format';
import { clearDraft, draftKey, loadDraft, saveDraft, type SubmissionDraft } from '../lib/draft';
import { clearChosen, loadChosen, saveChosen, type ChosenFiles } from '../lib/filestore';
import { enc, href, navigate } from '../lib/router';
import { isApplicant } from '../lib/session';
import { newIdemKey } from '../lib/api';
import type { Dossier, FileLink, Procedure, Unit, Variant } from '../lib/types';
import { ACCEPT, UploadRow, uploadFile } from '../ui/files';
import type { RouteProps } from '../main';
import { ErrorBox, Field, Loading, Notice, Page, Status, errorText, useLoad } from '../ui/ui';
import { timeText } from './catalog';

/** Units where the procedure can be handled: the offering units and their subtrees (the
 * catalogue offers a procedure at a unit and everything below it). */
export function useOfferingUnits(p: Procedure | null): { id: number; name: string; code: string; kind_title?: string }[] {
  const r = useLoad(async () => {
    if (!p) return [];
    const seen = new Map<number, Unit>();
    const roots = p.units.slice(0, 5);
    for (const u of roots) {
      const st = await api<{ items: Unit[] }>('GET', `/api/v1/units/${u.id}/subtree`);
      st.items.forEach((x) => seen.set(x.id, x));
    }
    for (const u of p.units) if (!seen.has(u.id)) seen.set(u.id, u as Unit);
    return [...seen.values()];
  }, [p?.code]);
  return r.data || [];
}

/** A searchable unit list: a filter box narrows the select below it. */
export function UnitPicker(props: {
  label: string;
  hint?: string;
  units: { id: number; name: string; code: string; kind_title?: string }[];
  value: number | null;
  onChange: (id: number | null) => void;
  required?: boolean;
  error?: string | null;
  emptyLabel?: string;
}) {
  const [f, setF] = useState('');
  const fold = (x: string) => x.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
  const list = props.units.filter((u) => !f || fold(u.name).includes(fold(f)) || u.code.includes(f) || u.id === props.value);
  return (
    <div class="picker">
      {props.units.length > 8 && (
        <Field label={t('wiz.filter_units') + ' – ' + props.label}>
          {(id) => <input id={id} type="search" value={f} onInput={(e) => setF(e.currentTarget.value)} />}
        </Field>
      )}
      <Field label={props.label} hint={props.hint} required={props.required} error={props.error}>
        {(id, by) => (
          <select id={id} aria-describedby={by} required={props.required} value={props.value ?? ''} onChange={(e) => props.onChange(Number(e.currentTarget.value) || null)}>
            <option value="">{props.emptyLabel || t('common.choose')}</option>
            {list.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
                {u.kind_title ? ` (${u.kind_title})` : ''}
              </option>
            ))}
          </select>
        )}
      </Field>
    </div>
  );
}

const STEPS = ['wiz.step_where', 'wiz.step_info', 'wiz.step_docs', 'wiz.step_review'] as const;

function freshDraft(p: Procedure, v: Variant): SubmissionDraft {
  const documents: SubmissionDraft['documents'] = {};
  v.documents.forEach((d, i) => {
    documents[d.code || 'DOC' + i] = { originals: d.originals, copies: d.copies, included: d.required };
  });
  return {
    procedure: p.code,
    variant: v.code,
    competent_unit_id: null,
    receiving_unit_id: null,
    delivery: 'electronic',
    applicant_phone: '',
    form_data: {},
    documents,
    step: 0,
    idem: newIdemKey(),
    saved_at: Date.now(),
  };
}

function useOnline(): boolean {
  const [on, setOn] = useState(typeof navigator === 'undefined' ? true : navigator.onLine);
  useEffect(() => {
    const a = () => setOn(true);
    const b = () => setOn(false);
    window.addEventListener('online', a);
    window.addEventListener('offline', b);
    return () => {
      window.removeEventListener('online', a);
      window.removeEventListener('offline', b);
    };
  }, []);
  return on;
}

export function Submit(props: RouteProps) {
  const code = props.params.code;
  const res = useLoad(() => api<Procedure>('GET', '/api/v1/procedures/' + enc(code)), [code]);
  if (!props.me)
    return (
      <Page title={t('wiz.title')}>
        <p>{t('wiz.login_first')}</p>
        <a class="button primary" href={href('/login', { next: '/submit/' + code + '?' + props.query.toString() })}>
          {t('nav.login')}
        </a>
      </Page>
    );
  if (!isApplicant(props.me))
    return (
      <Page title={t('wiz.title')}>
        <p>{t('wiz.applicants_only')}</p>
      </Page>
    );
  if (res.loading) return <Loading />;
  if (!res.data)
    return (
      <Page title={t('wiz.title')}>
        <ErrorBox error={res.error} />
      </Page>
    );
  const p = res.data;
  const vcode = props.query.get('variant');
  const v = p.variants.find((x) => x.code === vcode) || p.variants.find((x) => x.default) || p.variants[0];
  return <Wizard key={p.code + v.code} p={p} v={v} account={props.me.id} />;
}

interface Up {
  name: string;
  pct: number | null;
  done?: FileLink;
  error?: unknown;
}

function Wizard(props: { p: Procedure; v: Variant; account: number }) {
  const { p, v } = props;
  const key = draftKey(props.account, p.code + '.' + v.code);
  const restored = useMemo(() => loadDraft(key), [key]);
  const [d, setD] = useState<SubmissionDraft>(() => restored || freshDraft(p, v));
  const [saved, setSaved] = useState<boolean | null>(restored ? true : null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const offering = useOfferingUnits(p);
  const online = useOnline();
  // chosen files are kept with the draft in IndexedDB (lib/filestore.ts: localStorage holds
  // no File), so they survive a reload; they are sent once the dossier exists, each with its
  // progress and the server's confirmation
  const [files, setFilesState] = useState<ChosenFiles>({});
  const [filesKept, setFilesKept] = useState<boolean | null>(null);
  // saves of the chosen files still running (each choice is written to IndexedDB in the
  // background; shown on the chosen lines as data-saving, which the end-to-end test waits on)
  const [filesSaving, setFilesSaving] = useState(0);
  useEffect(() => {
    let live = true;
    loadChosen(key).then((f) => live && Object.keys(f).length > 0 && setFilesState(f));
    return () => {
      live = false;
    };
  }, [key]);
  const setFiles = (next: ChosenFiles) => {
    setFilesState(next);
    setFilesSaving((n) => n + 1);
    saveChosen(key, next).then((kept) => {
      setFilesKept(kept);
      setFilesSaving((n) => n - 1);
    });
  };
  const [sent, setSent] = useState<{ code: string; rows: Up[] } | null>(null);

  const update = (patch: Partial<SubmissionDraft>) => {
    const next = { ...d, ...patch };
    setD(next);
    setSaved(saveDraft(key, next));
  };
  const go = (step: number) => {
    update({ step });
    setError(null);
  };

  const docKey = (i: number) => v.documents[i].code || 'DOC' + i;

  async function submit() {
    setBusy(true);
    setError(null);
    const documents = v.documents
      .map((doc, i) => ({ doc, s: d.documents[docKey(i)] }))
      .filter((x) => x.s?.included && x.doc.code)
      .map((x) => ({ code: x.doc.code!, originals: x.s.originals, copies: x.s.copies }));
    const body = {
      procedure_code: p.code,
      variant_code: v.code,
      competent_unit_id: d.competent_unit_id,
      receiving_unit_id: d.receiving_unit_id,
      delivery: d.delivery,
      applicant_phone: d.applicant_phone || null,
      form_data: d.form_data,
      documents,
    };
    try {
      const r = await api<Dossier>('POST', '/api/v1/dossiers', body, { idem: d.idem });
      clearDraft(key);
      const todo = documents.flatMap((x) => (files[x.code] || []).map((f) => ({ component: x.code, file: f })));
      if (!todo.length) {
        await clearChosen(key);
        navigate('/receipt/' + enc(r.code));
        return;
      }
      const rows: Up[] = todo.map((x) => ({ name: x.file.name, pct: null }));
      setSent({ code: r.code, rows: [...rows] });
      for (let i = 0; i < todo.length; i++) {
        const set = (patch: Partial<Up>) => {
          rows[i] = { ...rows[i], ...patch };
          setSent({ code: r.code, rows: [...rows] });
        };
        try {
          set({ done: await uploadFile(r.code, todo[i].file, todo[i].component, (pct) => set({ pct })) });
        } catch (err) {
          set({ error: err });
        }
      }
      // sent (or shown as refused, to be added from the dossier page): the draft's copies go
      await clearChosen(key);
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && e.field) {
        if (e.field.startsWith('form_data') || e.field === 'applicant_phone') update({ step: 1 });
        else if (e.field.startsWith('documents')) update({ step: 2 });
        else if (e.field.includes('unit') || e.field === 'delivery') update({ step: 0 });
      }
    } finally {
      setBusy(false);
    }
  }

  if (sent) {
    const finished = sent.rows.every((r) => r.done || r.error);
    const failed = sent.rows.some((r) => r.error);
    return (
      <Page title={p.name}>
        <Notice kind={!finished ? 'info' : failed ? 'warn' : 'ok'}>{t(!finished ? 'file.wizard_uploading' : failed ? 'file.wizard_failed' : 'file.wizard_done')}</Notice>
        <ul class="uploads" aria-live="polite">
          {sent.rows.map((r, i) => (
            <UploadRow key={i} name={r.name} pct={r.pct} done={r.done} error={r.error} />
          ))}
        </ul>
        {finished && (
          <p class="actions">
            <a class="button primary" href={'#/receipt/' + enc(sent.code)}>
              {t('file.to_receipt')}
            </a>
          </p>
        )}
      </Page>
    );
  }

  const fieldErr = (name: string) => {
    if (!(error instanceof ApiError) || !error.field) return null;
    return error.field === name || error.field === 'form_data/' + name ? errorText(error).detail : null;
  };

  return (
    <Page title={p.name}>
      <p class="muted">
        {t('wiz.title')} · {v.name}
      </p>
      {restored && saved && d.step === restored.step && (
        <Notice kind="info">
          {t('wiz.restored', { at: new Date(restored.saved_at).toLocaleString() })}{' '}
          <button
            type="button"
            class="link"
            onClick={() => {
              clearDraft(key);
              clearChosen(key);
              setFilesState({});
              setD(freshDraft(p, v));
              setSaved(null);
            }}
          >
            {t('wiz.discard')}
          </button>
        </Notice>
      )}
      {!online && <Notice kind="warn">{t('wiz.offline')}</Notice>}
      {saved === false && <Notice kind="warn">{t('wiz.not_saved')}</Notice>}
      <ol class="steps" aria-label={t('wiz.steps')}>
        {STEPS.map((s, i) => (
          <li key={s} class={i === d.step ? 'current' : i < d.step ? 'done' : ''} aria-current={i === d.step ? 'step' : undefined}>
            <span class="n">{i + 1}</span> {t(s)}
          </li>
        ))}
      </ol>
      <ErrorBox error={error} />
      <form
        class="wizard"
        onSubmit={(e) => {
          e.preventDefault();
          if (d.step < 3) go(d.step + 1);
          else submit();
        }}
      >
        {d.step === 0 && (
          <fieldset>
            <legend>{t('wiz.step_where')}</legend>
            <UnitPicker
              label={t('wiz.competent')}
              hint={t('wiz.competent_hint')}
              units={offering}
              value={d.competent_unit_id}
              onChange={(id) => update({ competent_unit_id: id })}
              required
              error={fieldErr('competent_unit_id')}
            />
            <UnitPicker
              label={t('wiz.receiving')}
              hint={t('wiz.receiving_hint')}
              units={offering}
              value={d.receiving_unit_id}
              onChange={(id) => update({ receiving_unit_id: id })}
              error={fieldErr('receiving_unit_id')}
              emptyLabel={t('wiz.receiving_same')}
            />
            <fieldset class="radios">
              <legend>{t('wiz.delivery')}</legend>
              {['electronic', 'counter', 'post'].map((x) => (
                <label key={x}>
                  <input type="radio" name="delivery" value={x} checked={d.delivery === x} onChange={() => update({ delivery: x })} />{' '}
                  {tName('delivery', x)}
                </label>
              ))}
            </fieldset>
          </fieldset>
        )}
        {d.step === 1 && (
          <fieldset>
            <legend>{t('wiz.step_info')}</legend>
            <Field label={t('wiz.phone')} hint={t('wiz.phone_hint')} error={fieldErr('applicant_phone')}>
              {(id, by) => (
                <input id={id} aria-describedby={by} type="tel" inputMode="tel" autoComplete="tel" value={d.applicant_phone} onInput={(e) => update({ applicant_phone: e.currentTarget.value })} />
              )}
            </Field>
            {(v.form_fields || []).map((f) => (
              <Field key={f.name} label={f.label || f.name} required={f.required} error={fieldErr(f.name)}>
                {(id, by) =>
                  f.type === 'textarea' ? (
                    <textarea id={id} aria-describedby={by} value={d.form_data[f.name] || ''} onInput={(e) => update({ form_data: { ...d.form_data, [f.name]: e.currentTarget.value } })} />
                  ) : (
                    <input
                      id={id}
                      aria-describedby={by}
                      type={f.type === 'date' ? 'date' : f.type === 'number' ? 'number' : 'text'}
                      value={d.form_data[f.name] || ''}
                      onInput={(e) => update({ form_data: { ...d.form_data, [f.name]: e.currentTarget.value } })}
                    />
                  )
                }
              </Field>
            ))}
            {!v.form_fields?.length && <p class="muted">{t('wiz.no_form')}</p>}
          </fieldset>
        )}
        {d.step === 2 && (
          <fieldset>
            <legend>{t('wiz.step_docs')}</legend>
            <p class="hint">{t('wiz.docs_hint')}</p>
            <ul class="docs">
              {v.documents.map((doc, i) => {
                const s = d.documents[docKey(i)] || { originals: doc.originals, copies: doc.copies, included: doc.required };
                const set = (patch: Partial<typeof s>) => update({ documents: { ...d.documents, [docKey(i)]: { ...s, ...patch } } });
                return (
                  <li key={i}>
                    <label class="check">
                      <input type="checkbox" checked={s.included} onChange={(e) => set({ included: e.currentTarget.checked })} />
                      <span>
                        {doc.name}
                        {doc.required && <strong class="req"> ({t('proc.required')})</strong>}
                      </span>
                    </label>
                    {s.included && doc.code && (
                      <div class="field">
                        <label for={'file-' + i}>{t('file.wizard_pick', { name: doc.name })}</label>
                        <input
                          id={'file-' + i}
                          type="file"
                          multiple
                          accept={ACCEPT}
                          onChange={(e) => setFiles({ ...files, [doc.code!]: [...(e.currentTarget.files || [])] })}
                        />
                        {(files[doc.code] || []).length > 0 && (
                          <p class="muted small" data-chosen={doc.code} data-saving={filesSaving > 0 ? 'yes' : 'no'}>
                            {t('file.wizard_chosen')}: {files[doc.code].map((f) => f.name).join(', ')}{' '}
                            <button type="button" class="link" onClick={() => setFiles({ ...files, [doc.code!]: [] })}>
                              {t('file.wizard_unchoose')}
                            </button>
                          </p>
                        )}
                      </div>
                    )}
                    {s.included && (
                      <div class="counts">
                        <label>
                          {t('proc.originals')}{' '}
                          <input type="number" min={0} max={100} value={s.originals} onInput={(e) => set({ originals: Number(e.currentTarget.value) || 0 })} />
                        </label>
                        <label>
                          {t('proc.copies')}{' '}
                          <input type="number" min={0} max={100} value={s.copies} onInput={(e) => set({ copies: Number(e.currentTarget.value) || 0 })} />
                        </label>
                      </div>
                    )}
                  </li>
                );
              })}
            </ul>
            <p class="hint">{t('file.wizard_hint')}</p>
            {filesKept === false && <Notice kind="warn">{t('file.wizard_not_kept')}</Notice>}
          </fieldset>
        )}
        {d.step === 3 && (
          <fieldset>
            <legend>{t('wiz.step_review')}</legend>
            <dl class="facts">
              <dt>{t('proc.title')}</dt>
              <dd>
                {p.name} ({p.code})
              </dd>
              <dt>{t('proc.variant')}</dt>
              <dd>{v.name}</dd>
              <dt>{t('wiz.competent')}</dt>
              <dd>{offering.find((u) => u.id === d.competent_unit_id)?.name || '—'}</dd>
              <dt>{t('wiz.receiving')}</dt>
              <dd>{offering.find((u) => u.id === d.receiving_unit_id)?.name || t('wiz.receiving_same')}</dd>
              <dt>{t('wiz.delivery')}</dt>
              <dd>{tName('delivery', d.delivery)}</dd>
              <dt>{t('wiz.phone')}</dt>
              <dd>{d.applicant_phone || t('wiz.phone_default')}</dd>
              <dt>{t('proc.time')}</dt>
              <dd>{v.times.filter((x) => x.channel === 2).map(timeText).join(', ') || '—'}</dd>
              {Object.entries(d.form_data).map(([k, val]) => (
                <>
                  <dt>{(v.form_fields || []).find((f) => f.name === k)?.label || k}</dt>
                  <dd>{val}</dd>
                </>
              ))}
            </dl>
            <h3>{t('proc.documents')}</h3>
            <ul>
              {v.documents
                .map((doc, i) => ({ doc, s: d.documents[docKey(i)] }))
                .filter((x) => x.s?.included)
                .map((x, i) => (
                  <li key={i}>
                    {x.doc.name} — {t('proc.originals')}: {x.s.originals}, {t('proc.copies')}: {x.s.copies}
                    {x.doc.code && (files[x.doc.code] || []).length > 0 && (
                      <>
                        {' '}
                        — {t('file.wizard_chosen')}: {files[x.doc.code].map((f) => f.name).join(', ')}
                      </>
                    )}
                  </li>
                ))}
            </ul>
            <p class="hint">{t('wiz.due_from_server')}</p>
          </fieldset>
        )}
        <div class="actions">
          {d.step > 0 && (
            <button type="button" onClick={() => go(d.step - 1)}>
              {t('common.back')}
            </button>
          )}
          <button type="submit" class="primary" disabled={busy}>
            {d.step < 3 ? t('common.continue') : busy ? t('wiz.sending') : t('wiz.submit')}
          </button>
        </div>
        <p class="muted small" aria-live="polite">
          {saved ? t('wiz.autosaved') : ''}
        </p>
      </form>
    </Page>
  );
}

/** A QR code drawn as SVG squares (qrcode-generator is loaded on the receipt only). */
export function Qr(props: { text: string; label: string }) {
  const [cells, setCells] = useState<boolean[][] | null>(null);
  useEffect(() => {
    let live = true;
    import('qrcode-generator').then((m) => {
      const q = m.default(0, 'M');
      q.addData(props.text);
      q.make();
      const n = q.getModuleCount();
      const rows: boolean[][] = [];
      for (let r = 0; r < n; r++) {
        const row: boolean[] = [];
        for (let c = 0; c < n; c++) row.push(q.isDark(r, c));
        rows.push(row);
      }
      if (live) setCells(rows);
    });
    return () => {
      live = false;
    };
  }, [props.text]);
  if (!cells) return null;
  const n = cells.length;
  let path = '';
  cells.forEach((row, r) => row.forEach((dark, c) => dark && (path += `M${c + 4} ${r + 4}h1v1h-1z`)));
  return (
    <svg class="qr" viewBox={`0 0 ${n + 8} ${n + 8}`} role="img" aria-label={props.label} width="160" height="160">
      <rect width="100%" height="100%" fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}

export function lookupUrl(code: string): string {
  return `${location.origin}${location.pathname}#/lookup?code=${encodeURIComponent(code)}`;
}

export function Receipt(props: RouteProps) {
  const code = props.params.code;
  const res = useLoad(() => api<Dossier>('GET', '/api/v1/dossiers/' + enc(code)), [code]);
  if (res.loading) return <Loading />;
  if (!res.data)
    return (
      <Page title={t('receipt.title')}>
        <ErrorBox error={res.error} />
      </Page>
    );
  const d = res.data;
  return (
    <Page title={t('receipt.title')}>
      <Notice kind="ok">{t('receipt.ok')}</Notice>
      <div class="receipt">
        <div>
          <p>{t('receipt.code')}</p>
          <p class="bigcode" data-testid="dossier-code">
            {d.code}
          </p>
          <dl class="facts">
            <dt>{t('proc.title')}</dt>
            <dd>{d.procedure_name}</dd>
            <dt>{t('dossier.status')}</dt>
            <dd>
              <Status status={d.status} name={d.status_name} title={d.status_title} />
            </dd>
            <dt>{t('dossier.submitted')}</dt>
            <dd>{dateTime(d.submitted_at)}</dd>
            <dt>{t('dossier.due')}</dt>
            <dd>{d.current_due_at ? dateTime(d.current_due_at) : t('receipt.due_after_accept')}</dd>
          </dl>
        </div>
        <figure>
          <Qr text={lookupUrl(d.code)} label={t('receipt.qr', { code: d.code })} />
          <figcaption>{t('receipt.qr_caption')}</figcaption>
        </figure>
      </div>
      <p class="actions no-print">
        <button type="button" onClick={() => window.print()}>
          {t('common.print')}
        </button>
        <a class="button" href={'#/my/' + enc(d.code)}>
          {t('receipt.follow')}
        </a>
      </p>
    </Page>
  );
}
