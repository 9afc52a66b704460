// session.ts - who is signed in (GET /api/v1/auth/me) and what the server says they may do.
// Menus are shown from the server's permission list; every action is checked again there.
import { api, ApiError, setCsrf } from './api';

export interface Grant {
  id: number;
  role: string;
  unit_id: number | null;
}

export interface Me {
  id: number;
  kind: string;
  username: string;
  full_name: string;
  unit_id: number | null;
  roles: Grant[];
  permissions: string[];
  /** the role needs a second factor and none is on yet: the session may only enrol */
  totp_enrolment_required?: boolean;
}

let me: Me | null = null;
const listeners = new Set<() => void>();

export function getMe(): Me | null {
  return me;
}

export function onSession(f: () => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

function set(m: Me | null) {
  me = m;
  listeners.forEach((f) => f());
}

export async function loadMe(): Promise<Me | null> {
  try {
    const r = await api<{ account: Me; csrf_token: string }>('GET', '/api/v1/auth/me');
    setCsrf(r.csrf_token);
    set(r.account);
  } catch (e) {
    if (!(e instanceof ApiError) || (e.status !== 401 && e.status !== 403)) throw e;
    set(null);
  }
  return me;
}

export async function login(loginName: string, password: string, totpCode?: string): Promise<Me> {
  const body: Record<string, string> = { login: loginName, password };
  if (totpCode) body.totp_code = totpCode; // asked for after a 401 totp_required
  const r = await api<{ account: Me; csrf_token: string }>('POST', '/api/v1/auth/login', body);
  setCsrf(r.csrf_token);
  set(r.account);
  return r.account;
}

export async function logout(): Promise<void> {
  try {
    await api('POST', '/api/v1/auth/logout');
  } finally {
    setCsrf(null);
    set(null);
  }
}

export function can(perm: string, m: Me | null = me): boolean {
  return !!m && m.permissions.includes(perm);
}

export function isApplicant(m: Me | null = me): boolean {
  return !!m && (m.kind === 'citizen' || m.kind === 'business');
}

export function isOfficer(m: Me | null = me): boolean {
  return !!m && !isApplicant(m) && (can('dossier.read', m) || can('dossier.receive', m) || can('dossier.process', m));
}

export function isAdmin(m: Me | null = me): boolean {
  return !!m && (can('org.write', m) || can('account.write', m) || can('role.grant', m));
}
