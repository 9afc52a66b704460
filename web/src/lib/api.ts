// api.ts - the one way the UI talks to the server: JSON in and out, the CSRF token on every
// mutation, an Idempotency-Key where the caller gives one, and problem+json errors turned into
// ApiError (title/detail are the server's Vietnamese words; `field` names the offending input).

export interface Problem {
  status: number;
  code: string;
  title: string;
  detail?: string | null;
  field?: string | null;
  current?: unknown;
}

export class ApiError extends Error implements Problem {
  status: number;
  code: string;
  title: string;
  detail?: string | null;
  field?: string | null;
  current?: unknown;
  constructor(p: Problem) {
    super(p.detail || p.title);
    this.status = p.status;
    this.code = p.code;
    this.title = p.title;
    this.detail = p.detail;
    this.field = p.field;
    this.current = p.current;
  }
}

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

let csrfToken: string | null = null;
let fetcher: FetchLike = (i, init) => fetch(i, init);

/** Remembers the token from login / me; the readable tinhso_csrf cookie wins when present. */
export function setCsrf(token: string | null): void {
  csrfToken = token;
}

/** Test seam: replace fetch. */
export function setFetch(f: FetchLike): void {
  fetcher = f;
}

export function csrfFromCookie(cookie: string): string | null {
  for (const part of cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === 'tinhso_csrf') return decodeURIComponent(v.join('='));
  }
  return null;
}

export function currentCsrf(): string | null {
  const c = typeof document !== 'undefined' ? csrfFromCookie(document.cookie) : null;
  return c || csrfToken;
}

/** A fresh Idempotency-Key (kept by callers across retries of the same intent). */
export function newIdemKey(): string {
  if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

export interface CallOptions {
  idem?: string;
  /** raw body (e.g. CSV text) sent with this content type instead of JSON */
  contentType?: string;
}

export async function api<T = any>(method: string, path: string, body?: unknown, opt: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let payload: string | undefined;
  if (body !== undefined) {
    headers['Content-Type'] = opt.contentType || 'application/json';
    payload = typeof body === 'string' && opt.contentType ? body : JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD') {
    const t = currentCsrf();
    if (t) headers['X-CSRF-Token'] = t;
  }
  if (opt.idem) headers['Idempotency-Key'] = opt.idem;
  let res: Response;
  try {
    res = await fetcher(path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch {
    throw new ApiError({ status: 0, code: 'network', title: 'Mất kết nối', detail: null });
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: any = undefined;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  if (!res.ok) throw problem(res.status, json, res.statusText);
  return json as T;
}

/** The ApiError for a failed answer: the server's problem+json, else the bare status. */
export function problem(status: number, json: any, statusText?: string): ApiError {
  if (json && typeof json === 'object' && json.code) return new ApiError({ ...json, status });
  return new ApiError({ status, code: 'http_' + status, title: statusText || 'Lỗi', detail: null });
}

/** Sends a multipart form with XMLHttpRequest (fetch reports no upload progress); onProgress
 * gets the bytes sent and the total. Answers the JSON body; failures as ApiError. */
export function upload<T = any>(path: string, form: FormData, onProgress?: (sent: number, total: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('POST', path);
    x.setRequestHeader('Accept', 'application/json');
    const tok = currentCsrf();
    if (tok) x.setRequestHeader('X-CSRF-Token', tok);
    if (onProgress) x.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : 0);
    x.onload = () => {
      let json: any = undefined;
      try {
        json = x.responseText ? JSON.parse(x.responseText) : undefined;
      } catch {
        json = undefined;
      }
      if (x.status >= 200 && x.status < 300) resolve(json as T);
      else reject(problem(x.status, json, x.statusText));
    };
    x.onerror = () => reject(new ApiError({ status: 0, code: 'network', title: 'Mất kết nối', detail: null }));
    x.send(form);
  });
}

/** Builds a query string from the defined, non-empty values. */
export function qs(params: Record<string, string | number | boolean | null | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '' || v === false) continue;
    p.set(k, String(v));
  }
  const s = p.toString();
  return s ? '?' + s : '';
}
