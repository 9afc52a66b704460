// lib.test.ts - the UI's pure parts: routes, the API client (CSRF, Idempotency-Key,
// problem+json), drafts, UTC+7 date handling, messages in both languages.
import { describe, expect, it, beforeEach } from 'vitest';
import { api, ApiError, csrfFromCookie, qs, setCsrf, setFetch, upload } from '../../src/lib/api';
import { href, matchRoute, parseHash } from '../../src/lib/router';
import { clearDraft, draftKey, listDrafts, loadDraft, saveDraft, type SubmissionDraft } from '../../src/lib/draft';
import { isoDate, localInputToUnix, monthGrid, unixToLocalInput } from '../../src/lib/format';
import { messages } from '../../src/lib/messages';
import { setLang, t, tName } from '../../src/lib/i18n';

describe('router', () => {
  it('parses the hash into path and query', () => {
    const l = parseHash('#/procedures/1.001193?variant=A&x=1');
    expect(l.path).toBe('/procedures/1.001193');
    expect(l.query.get('variant')).toBe('A');
    expect(parseHash('').path).toBe('/');
    expect(parseHash('#/my/').path).toBe('/my');
  });
  it('matches patterns and decodes parameters', () => {
    expect(matchRoute('/work/d/:code', '/work/d/000.00.31.H99-261122-0001')).toEqual({ params: { code: '000.00.31.H99-261122-0001' } });
    expect(matchRoute('/work/d/:code', '/work/d/a%20b')!.params.code).toBe('a b');
    expect(matchRoute('/work/d/:code', '/work/d/x/slip')).toBeNull();
    expect(matchRoute('/work/d/:code/slip', '/work/d/x/slip')).not.toBeNull();
    expect(matchRoute('/work/d/:code', '/work/d/%E0%A4%A')).toBeNull();
    expect(matchRoute('/', '/')).toEqual({ params: {} });
  });
  it('builds hrefs without empty values', () => {
    expect(href('/procedures', { q: 'khai sinh', field: '', unit: undefined })).toBe('#/procedures?q=khai+sinh');
    expect(href('/my')).toBe('#/my');
  });
});

describe('api client', () => {
  let calls: { url: string; init: RequestInit }[] = [];
  const reply = (status: number, body: unknown, type = 'application/json') =>
    setFetch(async (url, init) => {
      calls.push({ url, init: init! });
      return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'Content-Type': type } });
    });
  beforeEach(() => {
    calls = [];
    setCsrf(null);
  });

  it('sends the CSRF token and the Idempotency-Key on mutations only', async () => {
    setCsrf('tok123');
    reply(200, { ok: true });
    await api('POST', '/api/v1/dossiers', { a: 1 }, { idem: 'k-1' });
    const h = calls[0].init.headers as Record<string, string>;
    expect(h['X-CSRF-Token']).toBe('tok123');
    expect(h['Idempotency-Key']).toBe('k-1');
    expect(h['Content-Type']).toBe('application/json');
    expect(calls[0].init.body).toBe('{"a":1}');
    await api('GET', '/api/v1/dossiers');
    expect((calls[1].init.headers as Record<string, string>)['X-CSRF-Token']).toBeUndefined();
  });

  it('turns problem+json into ApiError with the server words and field', async () => {
    reply(422, { type: 'about:blank', title: 'Dữ liệu không hợp lệ', status: 422, code: 'validation_failed', detail: 'Số định danh cá nhân phải có 12 chữ số', field: 'personal_id' }, 'application/problem+json');
    const e = await api('POST', '/x', {}).catch((x) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(422);
    expect(e.code).toBe('validation_failed');
    expect(e.field).toBe('personal_id');
    expect(e.message).toBe('Số định danh cá nhân phải có 12 chữ số');
  });

  it('keeps the current state of a 409 conflict', async () => {
    reply(409, { title: 'Xung đột', status: 409, code: 'conflict', detail: 'stale', current: { code: 'X', version: 7 } });
    const e = await api('POST', '/x', {}).catch((x) => x);
    expect(e.current).toEqual({ code: 'X', version: 7 });
  });

  it('reports a lost connection as status 0', async () => {
    setFetch(async () => {
      throw new TypeError('Failed to fetch');
    });
    const e = await api('GET', '/x').catch((x) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(0);
    expect(e.code).toBe('network');
  });

  it('answers 204 with undefined and non-JSON errors with the HTTP status', async () => {
    reply(204, undefined);
    expect(await api('DELETE', '/x')).toBeUndefined();
    setFetch(async () => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    const e = await api('GET', '/x').catch((x) => x);
    expect(e.status).toBe(502);
    expect(e.code).toBe('http_502');
  });

  it('reads the CSRF cookie and builds query strings', () => {
    expect(csrfFromCookie('a=1; tinhso_csrf=abc%3D; b=2')).toBe('abc=');
    expect(csrfFromCookie('a=1')).toBeNull();
    expect(qs({ q: 'đăng ký', limit: 20, x: '', y: null, z: false })).toBe('?q=%C4%91%C4%83ng+k%C3%BD&limit=20');
    expect(qs({})).toBe('');
  });
});

class MemKV {
  m = new Map<string, string>();
  full = false;
  get length() {
    return this.m.size;
  }
  key(i: number) {
    return [...this.m.keys()][i] ?? null;
  }
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    if (this.full) throw new Error('QuotaExceededError');
    this.m.set(k, v);
  }
  removeItem(k: string) {
    this.m.delete(k);
  }
  clear() {
    this.m.clear();
  }
}

describe('drafts', () => {
  const d: SubmissionDraft = {
    procedure: 'DEMO.000003', variant: 'A', competent_unit_id: 12, receiving_unit_id: null, delivery: 'counter', applicant_phone: '0912',
    form_data: { ho_ten: 'Nguyễn Văn A' }, documents: { TP01: { originals: 1, copies: 0, included: true } }, step: 2, idem: 'idem-1', saved_at: 0,
  };
  it('survive a reload with the same Idempotency-Key', () => {
    const kv = new MemKV();
    const k = draftKey(5, 'DEMO.000003.A');
    expect(saveDraft(k, d, kv, 1000)).toBe(true);
    const back = loadDraft(k, kv)!;
    expect(back.idem).toBe('idem-1');
    expect(back.step).toBe(2);
    expect(back.form_data.ho_ten).toBe('Nguyễn Văn A');
    expect(back.saved_at).toBe(1000);
    clearDraft(k, kv);
    expect(loadDraft(k, kv)).toBeNull();
  });
  it('are listed per account, newest first, and corrupt ones are ignored', () => {
    const kv = new MemKV();
    saveDraft(draftKey(5, 'P1.A'), { ...d, procedure: 'P1' }, kv, 1);
    saveDraft(draftKey(5, 'P2.A'), { ...d, procedure: 'P2' }, kv, 2);
    saveDraft(draftKey(6, 'P3.A'), { ...d, procedure: 'P3' }, kv, 3);
    kv.setItem(draftKey(5, 'bad'), '{not json');
    expect(listDrafts(5, kv as unknown as Storage).map((x) => x.procedure)).toEqual(['P2', 'P1']);
  });
  it('report a refused save instead of losing it silently', () => {
    const kv = new MemKV();
    kv.full = true;
    expect(saveDraft('k', d, kv)).toBe(false);
    expect(saveDraft('k', d, null)).toBe(false);
  });
});

describe('dates in UTC+7', () => {
  it('reads a datetime-local value as Vietnam time', () => {
    // 2026-02-13 16:00 +07:00 = 09:00 UTC
    expect(localInputToUnix('2026-02-13T16:00')).toBe(Date.UTC(2026, 1, 13, 9, 0) / 1000);
    expect(unixToLocalInput(Date.UTC(2026, 1, 13, 9, 0) / 1000)).toBe('2026-02-13T16:00');
    expect(unixToLocalInput(Date.UTC(2026, 11, 31, 17, 30) / 1000)).toBe('2027-01-01T00:30');
    expect(localInputToUnix('13/02/2026')).toBeNaN();
  });
  it('lays a month out from Monday', () => {
    const feb = monthGrid(2026, 2); // 1 Feb 2026 is a Sunday
    expect(feb.slice(0, 7)).toEqual([null, null, null, null, null, null, 1]);
    expect(feb.length % 7).toBe(0);
    expect(feb.filter((x) => x !== null).length).toBe(28);
    expect(isoDate(2026, 4, 7)).toBe('2026-04-07');
  });
});

describe('messages', () => {
  it('exist in both languages with the same placeholders', () => {
    const vi = messages.vi as Record<string, string>;
    const en = messages.en as Record<string, string>;
    expect(Object.keys(en).sort()).toEqual(Object.keys(vi).sort());
    const ph = (s: string) => (s.match(/\{\w+\}/g) || []).sort().join(',');
    for (const k of Object.keys(vi)) expect(ph(en[k]), k).toBe(ph(vi[k]));
    for (const k of Object.keys(vi)) expect(vi[k].trim(), k).not.toBe('');
  });
  it('switch language and fill placeholders', () => {
    setLang('vi');
    expect(t('search.count', { n: 3 })).toBe('Tìm thấy 3 thủ tục');
    expect(tName('status', 'delivered')).toBe('Đã trả kết quả');
    expect(tName('action', 'unknown_action', 'Nhãn máy chủ')).toBe('Nhãn máy chủ');
    setLang('en');
    expect(t('search.count', { n: 3 })).toBe('3 procedures found');
    expect(tName('role', 'counter_officer')).toBe('Counter officer');
    setLang('vi');
  });
});

describe('upload', () => {
  it('reports upload progress, sends the CSRF token, and turns refusals into ApiError', async () => {
    const sent: any[] = [];
    class FakeXhr {
      upload: any = {};
      headers: Record<string, string> = {};
      status = 0;
      statusText = '';
      responseText = '';
      onload: any;
      onerror: any;
      open(m: string, p: string) {
        sent.push({ m, p, x: this });
      }
      setRequestHeader(k: string, v: string) {
        this.headers[k] = v;
      }
      send() {
        this.upload.onprogress?.({ loaded: 50, total: 200, lengthComputable: true });
        this.upload.onprogress?.({ loaded: 200, total: 200, lengthComputable: true });
        const bad = sent.length > 1;
        this.status = bad ? 415 : 201;
        this.responseText = JSON.stringify(bad ? { code: 'unsupported_media_type', title: 'Loại tệp không được nhận', field: 'file' } : { id: 7, sha256: 'ab', size: 200 });
        this.onload();
      }
    }
    (globalThis as any).XMLHttpRequest = FakeXhr;
    setCsrf('tok');
    const seen: number[] = [];
    const r = await upload('/api/v1/dossiers/X/files', new FormData(), (s, t) => seen.push(Math.round((s * 100) / t)));
    expect(r).toEqual({ id: 7, sha256: 'ab', size: 200 });
    expect(seen).toEqual([25, 100]);
    expect(sent[0].m).toBe('POST');
    expect(sent[0].x.headers['X-CSRF-Token']).toBe('tok');
    const err = await upload('/api/v1/dossiers/X/files', new FormData()).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(415);
    expect(err.field).toBe('file');
    delete (globalThis as any).XMLHttpRequest;
  });
});
