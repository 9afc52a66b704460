// ui.tsx - the few shared building blocks: page frame (title + focus for screen readers),
// labelled fields, the error box that shows the server's problem, a loading line, a data hook.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { ApiError } from '../lib/api';
import { getLang, t, tName } from '../lib/i18n';

let navigated = false;
/** Called on every in-app navigation: from then on a new page moves the focus to its title
 * (screen readers announce it); the first page load leaves the focus where browsers put it,
 * so the skip link stays the first stop of the Tab key. */
export function markNavigated(): void {
  navigated = true;
}

export function Page(props: { title: string; children?: ComponentChildren; wide?: boolean }) {
  const h = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${props.title} – Tỉnh số`;
    if (navigated) h.current?.focus();
  }, [props.title]);
  return (
    <section class={props.wide ? 'page wide' : 'page'}>
      <h1 tabIndex={-1} ref={h}>
        {props.title}
      </h1>
      {props.children}
    </section>
  );
}

export function errorText(e: unknown): { title: string; detail: string; field?: string | null } {
  if (e instanceof ApiError) {
    if (e.status === 0) return { title: t('err.network'), detail: t('err.network_detail') };
    return { title: e.title, detail: e.detail || '', field: e.field };
  }
  return { title: t('err.unexpected'), detail: e instanceof Error ? e.message : String(e) };
}

/** The server's problem, read out by screen readers (role=alert). */
export function ErrorBox(props: { error: unknown }) {
  if (!props.error) return null;
  const x = errorText(props.error);
  return (
    <div class="error" role="alert">
      <strong>{x.title}</strong>
      {x.detail && <p>{x.detail}</p>}
      {x.field && (
        <p class="muted">
          {t('err.field')}: <code>{x.field}</code>
        </p>
      )}
    </div>
  );
}

export function Notice(props: { children: ComponentChildren; kind?: 'ok' | 'info' | 'warn' }) {
  return (
    <div class={`notice ${props.kind || 'info'}`} role="status">
      {props.children}
    </div>
  );
}

export function Loading() {
  return (
    <p class="loading" role="status" aria-live="polite">
      {t('common.loading')}
    </p>
  );
}

let fieldSeq = 0;
export function useId(prefix = 'f'): string {
  const r = useRef<string>();
  if (!r.current) r.current = `${prefix}${++fieldSeq}`;
  return r.current;
}

/** A label, a control and its hint / error, tied together with ids (WCAG 1.3.1, 3.3.1). */
export function Field(props: {
  label: string;
  hint?: string;
  error?: string | null;
  required?: boolean;
  children: (id: string, describedBy: string | undefined) => ComponentChildren;
}) {
  const id = useId();
  const hintId = props.hint ? id + '-h' : '';
  const errId = props.error ? id + '-e' : '';
  const by = [hintId, errId].filter(Boolean).join(' ') || undefined;
  return (
    <div class={props.error ? 'field invalid' : 'field'}>
      <label for={id}>
        {props.label}
        {props.required && <span aria-hidden="true"> *</span>}
      </label>
      {props.hint && (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      )}
      {props.children(id, by)}
      {props.error && (
        <p class="field-error" id={errId}>
          {props.error}
        </p>
      )}
    </div>
  );
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  set: (v: T) => void;
}

/** Runs fn when deps change; keeps the last answer; ignores answers of superseded runs. */
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setLoading(true);
    setError(null);
    fn().then(
      (v) => live && (setData(v), setLoading(false)),
      (e) => live && (setError(e), setLoading(false)),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { data, error, loading, reload: () => setTick((x) => x + 1), set: setData };
}

export function Status(props: { status: number; name?: string | null; title?: string | null }) {
  const label = getLang() === 'vi' && props.title ? props.title : tName('status', props.name || String(props.status), props.title);
  return <span class={`badge s${props.status}`}>{label}</span>;
}
