// files.tsx - the files of a dossier: upload with a progress bar (the server's answer gives the
// confirmed size, detected type and SHA-256), the list with downloads and a preview of PDF,
// JPEG and PNG only, re-use of files from the applicant's earlier dossiers, and the links to
// the printed forms. Who may add what, and when, is the server's decision (refusals shown in
// place); the type shown is the one the server detected from the content, never the name's.
import { useEffect, useState } from 'preact/hooks';
import { api, upload } from '../lib/api';
import { getLang, t } from '../lib/i18n';
import { dateTime } from '../lib/format';
import { enc } from '../lib/router';
import type { Dossier, FileLink } from '../lib/types';
import { ErrorBox, Field, Notice, useLoad } from './ui';

/** The types the server takes (docs/api.md "Files of a dossier"); the server checks content. */
export const ACCEPT = '.pdf,.jpg,.jpeg,.png,.doc,.docx,.xls,.xlsx,.odt,application/pdf,image/jpeg,image/png';
const PREVIEW = new Set(['application/pdf', 'image/jpeg', 'image/png']);

/** "1,2 MB" style sizes, in the language's number format. */
export function sizeText(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const num = i === 0 ? String(v) : v.toLocaleString(getLang(), { maximumFractionDigits: 1 });
  return `${num} ${units[i]}`;
}

export function canPreview(type: string | null | undefined): boolean {
  return !!type && PREVIEW.has(type);
}

/** Uploads one file for a component of the dossier; progress in percent (null = not started). */
export function uploadFile(code: string, file: File, component: string, onProgress: (pct: number) => void, extra: Record<string, string> = {}): Promise<FileLink> {
  const form = new FormData();
  form.append('component', component);
  for (const [k, v] of Object.entries(extra)) form.append(k, v);
  form.append('file', file, file.name);
  return upload<FileLink>(`/api/v1/dossiers/${enc(code)}/files`, form, (sent, total) => onProgress(total ? Math.round((sent * 100) / total) : 0));
}

/** What the server confirmed for a stored file: size, detected type and SHA-256. */
export function Confirmed(props: { f: FileLink }) {
  const f = props.f;
  return (
    <dl class="confirmed">
      <dt>{t('file.size')}</dt>
      <dd data-testid="file-size">{sizeText(f.size)}</dd>
      <dt>{t('file.type')}</dt>
      <dd>{f.type_label || f.type}</dd>
      <dt>{t('file.sha256')}</dt>
      <dd>
        <code class="hash" data-testid="file-sha256">
          {f.sha256}
        </code>
      </dd>
      {f.scan && f.scan !== 'clean' && f.scan !== 'unscanned' && (
        <>
          <dt>{t('file.scan')}</dt>
          <dd>{t(f.scan === 'pending' ? 'file.scan_pending' : 'file.scan_other')}</dd>
        </>
      )}
    </dl>
  );
}

/** One file going up: its name, a progress bar, then the confirmation or the refusal. */
export function UploadRow(props: { name: string; pct: number | null; done?: FileLink | null; error?: unknown }) {
  return (
    <li class="upload-row">
      <strong>{props.name}</strong>
      {props.done ? (
        <Confirmed f={props.done} />
      ) : props.error ? (
        <ErrorBox error={props.error} />
      ) : (
        <progress max={100} value={props.pct ?? undefined} aria-label={t('file.progress', { name: props.name })}>
          {props.pct ?? 0}%
        </progress>
      )}
    </li>
  );
}

/** The upload form of a dossier page: pick the document it belongs to, the file, send. */
export function UploadBox(props: { d: Dossier; kind?: 'input' | 'result'; onUploaded: (f: FileLink) => void }) {
  const docs = props.d.documents || [];
  const [component, setComponent] = useState(docs[0]?.code || '');
  const [file, setFile] = useState<File | null>(null);
  const [pct, setPct] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<FileLink[]>([]);
  const [inputKey, setInputKey] = useState(0);

  async function send(e: Event) {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(null);
    setPct(0);
    try {
      const f = await uploadFile(props.d.code, file, component, setPct, props.kind === 'result' ? { kind: 'result' } : {});
      setDone([...done, f]);
      setFile(null);
      setInputKey(inputKey + 1);
      props.onUploaded(f);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      setPct(null);
    }
  }

  return (
    <form class="upload-box" onSubmit={send} aria-label={t('file.add')}>
      <ErrorBox error={error} />
      {props.kind === 'result' ? (
        <Field label={t('file.result_code')}>{(id) => <input id={id} value={component} required onInput={(e) => setComponent(e.currentTarget.value)} />}</Field>
      ) : (
        <Field label={t('file.component')}>
          {(id) => (
            <select id={id} value={component} onChange={(e) => setComponent(e.currentTarget.value)}>
              {docs.map((doc) => (
                <option key={doc.code} value={doc.code}>
                  {doc.name || doc.code}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <Field label={t('file.choose')} hint={t('file.choose_hint')}>
        {(id, by) => <input key={inputKey} id={id} aria-describedby={by} type="file" accept={ACCEPT} onChange={(e) => setFile(e.currentTarget.files?.[0] || null)} />}
      </Field>
      {pct !== null && file && (
        <ul class="uploads">
          <UploadRow name={file.name} pct={pct} />
        </ul>
      )}
      <button type="submit" class="primary" disabled={busy || !file || !component}>
        {t('file.send')}
      </button>
      {done.length > 0 && (
        <ul class="uploads" aria-live="polite">
          {done.map((f) => (
            <UploadRow key={f.id} name={f.name} pct={100} done={f} />
          ))}
        </ul>
      )}
    </form>
  );
}

/** A PDF shown from its bytes in a sandboxed frame (the download answer is never inline). */
function PdfPreview(props: { f: FileLink }) {
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    let made: string | null = null;
    fetch(props.f.content_url, { credentials: 'same-origin' })
      .then(async (r) => {
        if (!r.ok) throw new Error(r.statusText);
        const b = new Blob([await r.arrayBuffer()], { type: 'application/pdf' });
        made = URL.createObjectURL(b);
        if (live) setUrl(made);
      })
      .catch((e) => live && setError(e));
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [props.f.content_url]);
  if (error) return <ErrorBox error={error} />;
  if (!url) return null;
  // Chromium draws no PDF inside a sandboxed frame (Firefox does): the same bytes open in a
  // new tab as well
  return (
    <>
      <iframe class="preview" sandbox="" src={url} title={t('file.preview_of', { name: props.f.name })} />
      <p>
        <a href={url} target="_blank" rel="noopener">
          {t('file.open_tab', { name: props.f.name })}
        </a>
      </p>
    </>
  );
}

function Preview(props: { f: FileLink }) {
  const f = props.f;
  if (f.type === 'application/pdf') return <PdfPreview f={f} />;
  return <img class="preview" src={f.content_url} alt={t('file.preview_of', { name: f.name })} />;
}

/** The dossier's files: what, how big, the hash, a download link, a preview for PDF / images. */
export function FileList(props: { code: string; reload?: number; names?: Record<string, string> }) {
  const res = useLoad(() => api<{ items: FileLink[]; total_size: number }>('GET', `/api/v1/dossiers/${enc(props.code)}/files`), [props.code, props.reload]);
  const [open, setOpen] = useState<number | null>(null);
  if (res.error) return <ErrorBox error={res.error} />;
  const items = res.data?.items || [];
  if (!res.data) return null;
  if (!items.length) return <p class="muted">{t('file.none')}</p>;
  return (
    <ul class="files">
      {items.map((f) => (
        <li key={f.id} class="file">
          <p>
            <a href={f.content_url} download={f.name}>
              {f.name}
            </a>{' '}
            <span class="muted">
              ({props.names?.[f.component || ''] || f.component}
              {f.kind === 'result' ? ' · ' + t('file.result') : ''}
              {f.reused ? ' · ' + t('file.reused', { code: f.source_dossier_code || '' }) : ''}
              {f.digitised ? ' · ' + t('file.digitised') : ''} · {dateTime(f.created_at)})
            </span>
          </p>
          <Confirmed f={f} />
          {canPreview(f.type) && f.scan !== 'pending' && (
            <p>
              <button type="button" aria-expanded={open === f.id} onClick={() => setOpen(open === f.id ? null : f.id)}>
                {open === f.id ? t('file.hide') : t('file.preview')}
              </button>
            </p>
          )}
          {open === f.id && <Preview f={f} />}
        </li>
      ))}
    </ul>
  );
}

/** Files of the applicant's earlier dossiers that can be attached again without uploading. */
export function Reuse(props: { d: Dossier; onReused: () => void }) {
  const res = useLoad(() => api<{ items: FileLink[] }>('GET', `/api/v1/dossiers/${enc(props.d.code)}/files/reusable`), [props.d.code]);
  const docs = props.d.documents || [];
  const [component, setComponent] = useState(docs[0]?.code || '');
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  if (!res.data?.items.length) return null;
  async function reuse(f: FileLink) {
    setError(null);
    setDone(null);
    try {
      await api('POST', `/api/v1/dossiers/${enc(props.d.code)}/files/reuse`, { source_id: f.id, component });
      setDone(f.name);
      props.onReused();
    } catch (e) {
      setError(e);
    }
  }
  return (
    <details class="reuse">
      <summary>{t('file.reuse_title', { n: res.data.items.length })}</summary>
      <ErrorBox error={error} />
      {done && <Notice kind="ok">{t('file.reused_ok', { name: done })}</Notice>}
      <Field label={t('file.component')}>
        {(id) => (
          <select id={id} value={component} onChange={(e) => setComponent(e.currentTarget.value)}>
            {docs.map((doc) => (
              <option key={doc.code} value={doc.code}>
                {doc.name || doc.code}
              </option>
            ))}
          </select>
        )}
      </Field>
      <ul class="files">
        {res.data.items.map((f) => (
          <li key={f.id}>
            {f.name} <span class="muted">({f.dossier_code} · {sizeText(f.size)})</span>{' '}
            <button type="button" onClick={() => reuse(f)}>
              {t('file.reuse')}
            </button>
          </li>
        ))}
      </ul>
    </details>
  );
}

/** The printed forms of the dossier: each once the event it records has happened. */
export const FORMS: { form: string; after: string[] }[] = [
  { form: 'receipt', after: ['accept', 'intake'] },
  { form: 'supplement', after: ['request_supplement'] },
  { form: 'refusal', after: ['refuse'] },
  { form: 'apology', after: ['apologize'] },
  { form: 'stop', after: ['stop'] },
  { form: 'control-slip', after: ['accept', 'intake'] },
];

export function formsFor(d: Dossier): string[] {
  const seen = new Set((d.events || d.timeline || []).map((e) => e.action));
  return FORMS.filter((f) => f.after.some((a) => seen.has(a))).map((f) => f.form);
}

export function FormLinks(props: { d: Dossier }) {
  return (
    <ul class="forms">
      {formsFor(props.d).map((f) => (
        <li key={f}>
          <a href={`/api/v1/dossiers/${enc(props.d.code)}/forms/${f}`} target="_blank" rel="noopener" data-form={f}>
            {t(('form.' + f) as any)} (PDF)
          </a>
        </li>
      ))}
    </ul>
  );
}

/** Document code -> its name, for labelling files. */
export function docNames(d: Dossier): Record<string, string> {
  const m: Record<string, string> = {};
  for (const x of d.documents || []) m[x.code] = x.name || x.code;
  return m;
}
