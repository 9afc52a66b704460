// router.ts - hash routes (#/path?query). The server serves files only (no fallback to
// index.html for unknown paths), so the route lives in the fragment; this module is the
// pattern matcher and the hash parser, kept pure for the unit tests.

export interface Location {
  path: string;
  query: URLSearchParams;
}

export interface Match {
  params: Record<string, string>;
}

/** "#/procedures/1.001193?variant=A" -> {path: "/procedures/1.001193", query: variant=A} */
export function parseHash(hash: string): Location {
  let h = hash.startsWith('#') ? hash.slice(1) : hash;
  if (!h.startsWith('/')) h = '/' + h;
  const q = h.indexOf('?');
  const path = q >= 0 ? h.slice(0, q) : h;
  const query = new URLSearchParams(q >= 0 ? h.slice(q + 1) : '');
  return { path: path.length > 1 ? path.replace(/\/+$/, '') : path, query };
}

/** Matches "/work/d/:code" against a path; segments are percent-decoded. null if no match. */
export function matchRoute(pattern: string, path: string): Match | null {
  const ps = pattern.split('/').filter(Boolean);
  const xs = path.split('/').filter(Boolean);
  if (ps.length !== xs.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < ps.length; i++) {
    if (ps[i].startsWith(':')) {
      try {
        params[ps[i].slice(1)] = decodeURIComponent(xs[i]);
      } catch {
        return null;
      }
    } else if (ps[i] !== xs[i]) return null;
  }
  return { params };
}

/** The href for a route path plus query. */
export function href(path: string, query?: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams();
  if (query) for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return '#' + path + (s ? '?' + s : '');
}

export function navigate(path: string, query?: Record<string, string | number | undefined | null>): void {
  location.hash = href(path, query).slice(1);
}

export function enc(s: string): string {
  return encodeURIComponent(s);
}
