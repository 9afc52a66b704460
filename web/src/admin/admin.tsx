// admin.tsx - administration (a lazily loaded chunk): the units tree, officer accounts and
// role grants, the procedure catalogue (import, edit as a new version, versions), the holiday
// workflow editor (steps with role, unit and hours; published as versions), the holiday
// calendar as a year view with the computed suggestions to confirm, office hours. Choices
// offered in forms (roles, unit kinds, day kinds) are the enums of the API's request specs
// read from GET /api/openapi.json, so the UI never keeps its own copy.
import { useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { api, ApiError, qs } from '../lib/api';
import { t, tName } from '../lib/i18n';
import { dateTime, isoDate, monthGrid } from '../lib/format';
import { enc, href, navigate } from '../lib/router';
import { can, isAdmin } from '../lib/session';
import type { Page as PageOf, Procedure, ProcedureHit, ProcedureVersions, Unit } from '../lib/types';
import type { RouteProps } from '../main';
import { ErrorBox, Field, Loading, Notice, Page, useLoad } from '../ui/ui';

let specCache: Promise<any> | null = null;
/** Enum values of a request spec property, from the OpenAPI description; "steps/kind" walks
 * into the objects of an array property. */
export function useEnum(schema: string, prop: string): string[] {
  const r = useLoad(() => (specCache ||= api('GET', '/api/openapi.json')), []);
  return enumAt(r.data?.components?.schemas?.[schema], prop);
}

export function enumAt(schema: any, path: string): string[] {
  let s = schema;
  for (const p of path.split('/')) s = (s?.properties || s?.items?.properties)?.[p];
  return (s?.enum || s?.items?.enum || []) as string[];
}

/** The administration page frame: the sub-navigation (each link shown only to those whose
 * permissions the server lists for its page) and the sign-in / no-access answer. `perm`: the
 * permission the page needs instead of being an administrator. */
export function Frame(props: RouteProps & { title: string; here: string; perm?: string; children: ComponentChildren }) {
  if (!props.me || !(props.perm ? can(props.perm, props.me) : isAdmin(props.me)))
    return (
      <Page title={props.title}>
        {props.me ? (
          <p>{t('admin.only')}</p>
        ) : (
          <a class="button primary" href={href('/login', { next: '/admin' })}>
            {t('nav.login')}
          </a>
        )}
      </Page>
    );
  const links = [
    ['units', '#/admin', 'admin.units'],
    ['users', '#/admin/users', 'admin.users'],
    ['procedures', '#/admin/procedures', 'admin.procedures'],
    ['flows', '#/admin/flows', 'flow.title'],
    ['calendar', '#/admin/calendar', 'admin.calendar'],
    ['settings', '#/admin/settings', 'admin.settings'],
    ...(can('outbox.manage', props.me) ? ([['outbox', '#/admin/outbox', 'admin.outbox']] as const) : []),
  ] as const;
  return (
    <Page title={props.title} wide>
      <nav class="subnav" aria-label={t('nav.admin')}>
        {links.map(([id, h, l]) => (
          <a key={id} href={h} aria-current={props.here === id ? 'page' : undefined}>
            {t(l)}
          </a>
        ))}
      </nav>
      {props.children}
    </Page>
  );
}

/* ---- units ------------------------------------------------------------------------ */

function UnitNode(props: { u: Unit; onPick: (u: Unit) => void; picked: number | null }) {
  const [open, setOpen] = useState(false);
  const kids = useLoad(() => (open ? api<PageOf<Unit>>('GET', '/api/v1/units' + qs({ parent: props.u.id, limit: 200 })) : Promise.resolve(null)), [open]);
  const has = (props.u.children_count || 0) > 0;
  return (
    <li role="treeitem" aria-expanded={has ? open : undefined} aria-selected={props.picked === props.u.id}>
      <div class="node">
        {has ? (
          <button type="button" class="twisty" aria-label={open ? t('admin.collapse') : t('admin.expand')} onClick={() => setOpen(!open)}>
            {open ? '−' : '+'}
          </button>
        ) : (
          <span class="twisty" aria-hidden="true" />
        )}
        <button type="button" class="link" onClick={() => props.onPick(props.u)}>
          {props.u.name}
        </button>
        <span class="muted small">
          {' '}
          {props.u.code}
          {props.u.valid_to ? ` · ${t('admin.ended', { d: props.u.valid_to })}` : ''}
        </span>
      </div>
      {open && kids.data && (
        <ul role="group">
          {kids.data.items.map((k) => (
            <UnitNode key={k.id} u={k} onPick={props.onPick} picked={props.picked} />
          ))}
        </ul>
      )}
      {open && kids.loading && <Loading />}
    </li>
  );
}

function UnitForm(props: { unit: Unit | null; parent: Unit | null; onSaved: () => void }) {
  const kinds = useEnum('UnitCreate', 'kind');
  const u = props.unit;
  const [v, setV] = useState<Record<string, string>>({
    code: '', name: u?.name || '', short_name: u?.short_name || '', kind: u?.kind || '', valid_to: u?.valid_to || '', successor_id: u?.successor_id ? String(u.successor_id) : '',
  });
  const [error, setError] = useState<unknown>(null);
  const [ok, setOk] = useState(false);
  const set = (k: string) => (e: any) => setV({ ...v, [k]: e.currentTarget.value });
  return (
    <form
      class="panel"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(null);
        setOk(false);
        try {
          if (u)
            await api('PATCH', '/api/v1/units/' + u.id, {
              version: u.version, name: v.name, short_name: v.short_name || null, kind: v.kind || undefined,
              valid_to: v.valid_to || null, successor_id: v.successor_id ? Number(v.successor_id) : null,
            });
          else
            await api('POST', '/api/v1/units', { code: v.code, name: v.name, short_name: v.short_name || null, kind: v.kind, parent_id: props.parent?.id ?? null });
          setOk(true);
          props.onSaved();
        } catch (err) {
          setError(err);
        }
      }}
    >
      <h2>{u ? t('admin.unit_edit', { name: u.name }) : t('admin.unit_new', { parent: props.parent?.name || '—' })}</h2>
      <ErrorBox error={error} />
      {ok && <Notice kind="ok">{t('common.saved')}</Notice>}
      {!u && (
        <Field label={t('admin.agency_code')} hint={t('admin.agency_code_hint')} required>
          {(id, by) => <input id={id} aria-describedby={by} required value={v.code} onInput={set('code')} />}
        </Field>
      )}
      <Field label={t('admin.unit_name')} required>
        {(id) => <input id={id} required value={v.name} onInput={set('name')} />}
      </Field>
      <Field label={t('admin.short_name')}>{(id) => <input id={id} value={v.short_name} onInput={set('short_name')} />}</Field>
      <Field label={t('admin.unit_kind')} required={!u}>
        {(id) => (
          <select id={id} required={!u} value={v.kind} onChange={set('kind')}>
            <option value="">{t('common.choose')}</option>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        )}
      </Field>
      {u && (
        <>
          <Field label={t('admin.valid_to')} hint={t('admin.valid_to_hint')}>
            {(id, by) => <input id={id} aria-describedby={by} type="date" value={v.valid_to} onInput={set('valid_to')} />}
          </Field>
          <Field label={t('admin.successor')}>{(id) => <input id={id} inputMode="numeric" value={v.successor_id} onInput={set('successor_id')} />}</Field>
        </>
      )}
      <button type="submit" class="primary">
        {t('common.save')}
      </button>
    </form>
  );
}

export function Units(props: RouteProps) {
  const roots = useLoad(() => api<PageOf<Unit>>('GET', '/api/v1/units' + qs({ limit: 1 })), []);
  const [picked, setPicked] = useState<Unit | null>(null);
  const [mode, setMode] = useState<'edit' | 'child'>('edit');
  const [gen, setGen] = useState(0);
  const root = roots.data?.items.find((u) => !u.parent_id);
  return (
    <Frame {...props} title={t('admin.units')} here="units">
      <ErrorBox error={roots.error} />
      <div class="two-col">
        <div>
          {root && (
            <ul class="tree" role="tree" aria-label={t('admin.units')} key={gen}>
              <UnitNode u={root} onPick={(u) => (setPicked(u), setMode('edit'))} picked={picked?.id ?? null} />
            </ul>
          )}
        </div>
        <div>
          {picked ? (
            <>
              <div class="row">
                <button type="button" aria-pressed={mode === 'edit'} onClick={() => setMode('edit')}>
                  {t('common.edit')}
                </button>
                {can('org.write') && (
                  <button type="button" aria-pressed={mode === 'child'} onClick={() => setMode('child')}>
                    {t('admin.add_child')}
                  </button>
                )}
              </div>
              <UnitForm key={picked.id + mode} unit={mode === 'edit' ? picked : null} parent={mode === 'child' ? picked : null} onSaved={() => setGen(gen + 1)} />
            </>
          ) : (
            <p class="hint">{t('admin.pick_unit')}</p>
          )}
        </div>
      </div>
    </Frame>
  );
}

/* ---- users ------------------------------------------------------------------------ */

interface Account {
  id: number;
  kind: string;
  username: string;
  full_name: string;
  unit_id: number | null;
  status: string;
  email: string | null;
  phone: string | null;
  version: number;
  roles?: { id: number; role: string; unit_id: number | null }[];
}

export function Users(props: RouteProps) {
  const q = props.query.get('q') || '';
  const offset = Number(props.query.get('offset') || 0);
  const [qi, setQi] = useState(q);
  const list = useLoad(() => api<PageOf<Account>>('GET', '/api/v1/accounts' + qs({ q, limit: 25, offset })), [q, offset]);
  const kinds = useEnum('AccountCreateRequest', 'kind');
  const [v, setV] = useState<Record<string, string>>({ username: '', full_name: '', kind: 'officer', unit_id: '', password: '', email: '', phone: '' });
  const [error, setError] = useState<unknown>(null);
  const set = (k: string) => (e: any) => setV({ ...v, [k]: e.currentTarget.value });
  return (
    <Frame {...props} title={t('admin.users')} here="users">
      <form
        role="search"
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          navigate('/admin/users', { q: qi });
        }}
      >
        <Field label={t('admin.find_user')}>{(id) => <input id={id} type="search" value={qi} onInput={(e) => setQi(e.currentTarget.value)} />}</Field>
        <button type="submit">{t('home.search_btn')}</button>
      </form>
      <ErrorBox error={list.error} />
      {list.data && (
        <div class="table-wrap" tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('admin.username')}</th>
                <th scope="col">{t('reg.full_name')}</th>
                <th scope="col">{t('admin.kind')}</th>
                <th scope="col">{t('admin.unit')}</th>
                <th scope="col">{t('admin.status')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((a) => (
                <tr key={a.id}>
                  <td>
                    <a href={'#/admin/users/' + a.id}>{a.username}</a>
                  </td>
                  <td>{a.full_name}</td>
                  <td>{a.kind}</td>
                  <td>{a.unit_id ?? ''}</td>
                  <td>{a.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager" aria-label={t('common.pages')}>
        <button type="button" disabled={offset === 0} onClick={() => navigate('/admin/users', { q, offset: Math.max(0, offset - 25) || undefined })}>
          {t('common.prev')}
        </button>
        <button type="button" disabled={(list.data?.items.length || 0) < 25} onClick={() => navigate('/admin/users', { q, offset: offset + 25 })}>
          {t('common.next')}
        </button>
      </nav>
      {can('account.write') && (
        <form
          class="panel"
          onSubmit={async (e) => {
            e.preventDefault();
            setError(null);
            try {
              const a = await api<Account>('POST', '/api/v1/accounts', {
                username: v.username, full_name: v.full_name, kind: v.kind, unit_id: Number(v.unit_id), password: v.password,
                email: v.email || null, phone: v.phone || null,
              });
              navigate('/admin/users/' + a.id);
            } catch (err) {
              setError(err);
            }
          }}
        >
          <h2>{t('admin.user_new')}</h2>
          <ErrorBox error={error} />
          <div class="row wrap">
            <Field label={t('admin.username')} required>{(id) => <input id={id} required value={v.username} onInput={set('username')} autoComplete="off" />}</Field>
            <Field label={t('reg.full_name')} required>{(id) => <input id={id} required value={v.full_name} onInput={set('full_name')} />}</Field>
            <Field label={t('admin.kind')}>
              {(id) => (
                <select id={id} value={v.kind} onChange={set('kind')}>
                  {kinds.map((k) => (
                    <option key={k} value={k}>
                      {k}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t('admin.unit_id')} hint={t('admin.unit_id_hint')} required>
              {(id, by) => <input id={id} aria-describedby={by} required inputMode="numeric" value={v.unit_id} onInput={set('unit_id')} />}
            </Field>
            <Field label={t('login.password')} hint={t('reg.password_hint')} required>
              {(id, by) => <input id={id} aria-describedby={by} type="password" autoComplete="new-password" required value={v.password} onInput={set('password')} />}
            </Field>
            <Field label={t('reg.email')}>{(id) => <input id={id} type="email" value={v.email} onInput={set('email')} />}</Field>
            <Field label={t('wiz.phone')}>{(id) => <input id={id} type="tel" value={v.phone} onInput={set('phone')} />}</Field>
          </div>
          <button type="submit" class="primary">
            {t('admin.create')}
          </button>
        </form>
      )}
    </Frame>
  );
}

export function UserPage(props: RouteProps) {
  const id = props.params.id;
  const acc = useLoad(() => api<Account>('GET', '/api/v1/accounts/' + enc(id)), [id]);
  const roles = useEnum('GrantRequest', 'role');
  const [grant, setGrant] = useState({ role: '', unit_id: '' });
  const [error, setError] = useState<unknown>(null);
  const [msg, setMsg] = useState('');
  const run = async (f: () => Promise<unknown>, m: string) => {
    setError(null);
    setMsg('');
    try {
      await f();
      setMsg(m);
      acc.reload();
    } catch (err) {
      setError(err);
    }
  };
  const a = acc.data;
  return (
    <Frame {...props} title={a ? a.full_name : t('admin.users')} here="users">
      <ErrorBox error={acc.error || error} />
      {msg && <Notice kind="ok">{msg}</Notice>}
      {a && (
        <>
          <dl class="facts">
            <dt>{t('admin.username')}</dt>
            <dd>{a.username}</dd>
            <dt>{t('admin.kind')}</dt>
            <dd>{a.kind}</dd>
            <dt>{t('admin.unit')}</dt>
            <dd>{a.unit_id ?? ''}</dd>
            <dt>{t('admin.status')}</dt>
            <dd>{a.status}</dd>
          </dl>
          <div class="row wrap">
            {can('account.write') && (
              <button
                type="button"
                onClick={() => run(() => api('PATCH', '/api/v1/accounts/' + a.id, { version: a.version, status: a.status === 'active' ? 'disabled' : 'active' }), t('common.saved'))}
              >
                {a.status === 'active' ? t('admin.disable') : t('admin.enable')}
              </button>
            )}
            {can('account.write') && (
              <button type="button" onClick={() => run(() => api('POST', `/api/v1/accounts/${a.id}/revoke-sessions`), t('admin.sessions_revoked'))}>
                {t('admin.revoke_sessions')}
              </button>
            )}
          </div>
          <h2>{t('admin.grants')}</h2>
          <ul>
            {(a.roles || []).map((g) => (
              <li key={g.id}>
                {tName('role', g.role)} — {g.unit_id ? t('admin.unit') + ' #' + g.unit_id : t('admin.province_wide')}{' '}
                {can('role.grant') && (
                  <button type="button" class="link" onClick={() => run(() => api('DELETE', `/api/v1/accounts/${a.id}/grants/${g.id}`), t('admin.grant_removed'))}>
                    {t('admin.remove')}
                  </button>
                )}
              </li>
            ))}
          </ul>
          {can('role.grant') && (
            <form
              class="row wrap"
              onSubmit={(e) => {
                e.preventDefault();
                run(() => api('POST', `/api/v1/accounts/${a.id}/grants`, { role: grant.role, unit_id: grant.unit_id ? Number(grant.unit_id) : null }), t('admin.granted'));
              }}
            >
              <Field label={t('admin.role')} required>
                {(fid) => (
                  <select id={fid} required value={grant.role} onChange={(e) => setGrant({ ...grant, role: e.currentTarget.value })}>
                    <option value="">{t('common.choose')}</option>
                    {roles.map((r) => (
                      <option key={r} value={r}>
                        {tName('role', r)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label={t('admin.unit_id')} hint={t('admin.grant_unit_hint')}>
                {(fid, by) => <input id={fid} aria-describedby={by} inputMode="numeric" value={grant.unit_id} onInput={(e) => setGrant({ ...grant, unit_id: e.currentTarget.value })} />}
              </Field>
              <button type="submit">{t('admin.grant')}</button>
            </form>
          )}
        </>
      )}
    </Frame>
  );
}

/* ---- procedures ------------------------------------------------------------------- */

/** The procedure as GET returns it, reshaped into one record of the import format. */
export function toImportRecord(p: Procedure): Record<string, unknown> {
  const keep = ['code', 'name', 'field', 'field_code', 'kind', 'levels', 'target_groups', 'online_level', 'next_day_after_cutoff', 'legal_basis', 'implementing_agency', 'competent_agency', 'results', 'fees', 'valid_from'];
  const r: Record<string, unknown> = {};
  for (const k of keep) if (p[k] !== undefined) r[k] = p[k];
  r.units = p.units.map((u) => u.code);
  r.variants = p.variants.map((v) => {
    const { id: _id, ...rest } = v;
    return rest;
  });
  return r;
}

export function Procedures(props: RouteProps) {
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<ProcedureHit[]>([]);
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<{ created: number; versioned: number; unchanged: number } | null>(null);
  const [busy, setBusy] = useState(false);
  const [history, setHistory] = useState<ProcedureVersions | null>(null);
  async function versions(code: string) {
    setHistory(await api<ProcedureVersions>('GET', `/api/v1/procedures/${enc(code)}/versions`));
  }
  async function load(code: string) {
    setError(null);
    try {
      const p = await api<Procedure>('GET', '/api/v1/procedures/' + enc(code));
      setText(JSON.stringify({ procedures: [toImportRecord(p)] }, null, 2));
      setResult(null);
      await versions(code);
    } catch (err) {
      setError(err);
    }
  }
  return (
    <Frame {...props} title={t('admin.procedures')} here="procedures">
      <p class="hint">{t('admin.proc_lead')}</p>
      <form
        class="row"
        role="search"
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            setHits((await api<PageOf<ProcedureHit>>('GET', '/api/v1/procedures' + qs({ q, limit: 10 }))).items);
          } catch (err) {
            setError(err);
          }
        }}
      >
        <Field label={t('admin.proc_find')}>{(id) => <input id={id} type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />}</Field>
        <button type="submit">{t('home.search_btn')}</button>
      </form>
      <ul class="picklist">
        {hits.map((h) => (
          <li key={h.code}>
            {h.code} — {h.name}{' '}
            <button type="button" class="link" onClick={() => load(h.code)}>
              {t('common.edit')}
            </button>{' '}
            <a href={'#/procedures/' + enc(h.code)}>{t('admin.view')}</a>{' '}
            <button type="button" class="link" onClick={() => versions(h.code).catch(setError)}>
              {t('admin.history')}
            </button>{' '}
            <a href={href('/admin/flows', { code: h.code })}>{t('flow.title')}</a>
          </li>
        ))}
      </ul>
      {history && <VersionHistory h={history} />}
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setError(null);
          setResult(null);
          setBusy(true);
          try {
            let body: unknown;
            try {
              body = JSON.parse(text);
            } catch (pe) {
              throw new Error(t('admin.bad_json') + ': ' + (pe as Error).message);
            }
            setResult(await api('POST', '/api/v1/procedures/import', body));
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <Field label={t('admin.import_json')} hint={t('admin.import_hint')}>
          {(id, by) => <textarea id={id} aria-describedby={by} class="code" rows={18} spellcheck={false} value={text} onInput={(e) => setText(e.currentTarget.value)} />}
        </Field>
        <Field label={t('admin.import_file')}>
          {(id) => (
            <input
              id={id}
              type="file"
              accept=".json,application/json"
              onChange={async (e) => {
                const f = e.currentTarget.files?.[0];
                if (f) setText(await f.text());
              }}
            />
          )}
        </Field>
        <ErrorBox error={error} />
        {result && <Notice kind="ok">{t('admin.imported', result)}</Notice>}
        <button type="submit" class="primary" disabled={busy || !text.trim()}>
          {t('admin.import_btn')}
        </button>
      </form>
    </Frame>
  );
}

/** The version history of one procedure (GET /api/v1/procedures/{code}/versions), newest
 * first; each version opens as the server stored it. */
function VersionHistory(props: { h: ProcedureVersions }) {
  return (
    <section aria-labelledby="proc-versions-h" class="panel">
      <h2 id="proc-versions-h">{t('admin.history_of', { code: props.h.code })}</h2>
      <div class="table-wrap" tabIndex={0}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('admin.version_no')}</th>
              <th scope="col">{t('proc.title')}</th>
              <th scope="col">{t('admin.valid')}</th>
              <th scope="col">{t('admin.hash')}</th>
            </tr>
          </thead>
          <tbody>
            {props.h.versions.map((v) => (
              <tr key={v.id} data-version={v.version_no}>
                <td>
                  <a href={'/api/v1/procedure-versions/' + v.id}>{t('admin.version', { n: v.version_no })}</a>
                  {v.current && <strong> ({t('admin.current')})</strong>}
                </td>
                <td>{v.name}</td>
                <td>
                  {v.valid_from} – {v.valid_to || t('admin.open_ended')}
                </td>
                <td>
                  <code>{v.content_hash.slice(0, 12)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/* ---- calendar --------------------------------------------------------------------- */

interface Day {
  date: string;
  kind: string;
  name: string | null;
  source: string;
}

export function Calendar(props: RouteProps) {
  const year = Number(props.query.get('year') || new Date().getFullYear());
  const days = useLoad(() => api<{ year: number; items: Day[] }>('GET', '/api/v1/calendar/days' + qs({ year })), [year]);
  const kinds = useEnum('CalendarDaySet', 'kind');
  const [sel, setSel] = useState<string | null>(null);
  const [form, setForm] = useState({ kind: 'holiday', name: '' });
  const [error, setError] = useState<unknown>(null);
  const [msg, setMsg] = useState('');
  const byDate = new Map((days.data?.items || []).map((d) => [d.date, d]));
  const pick = (date: string) => {
    const d = byDate.get(date);
    setSel(date);
    setForm({ kind: d?.kind || 'holiday', name: d?.name || '' });
    setMsg('');
    setError(null);
  };
  const run = async (f: () => Promise<unknown>, m: string) => {
    setError(null);
    setMsg('');
    try {
      await f();
      setMsg(m);
      days.reload();
    } catch (err) {
      setError(err);
    }
  };
  const suggestions = (days.data?.items || []).filter((d) => d.source === 'computed');
  return (
    <Frame {...props} title={t('admin.calendar_year', { year })} here="calendar">
      <div class="row wrap">
        <a class="button" href={href('/admin/calendar', { year: year - 1 })}>
          ← {year - 1}
        </a>
        <a class="button" href={href('/admin/calendar', { year: year + 1 })}>
          {year + 1} →
        </a>
        {can('org.write') && (
          <button type="button" onClick={() => run(() => api('POST', `/api/v1/calendar/years/${year}/fill`), t('admin.filled'))}>
            {t('admin.fill_year')}
          </button>
        )}
      </div>
      <p class="legend">
        {['holiday', 'compensatory', 'swapped_off', 'swapped_working'].map((k) => (
          <span key={k} class={'day-' + k}>
            {tName('daykind', k)}
          </span>
        ))}
        <span class="suggested">{t('admin.suggested')}</span>
      </p>
      <ErrorBox error={days.error || error} />
      {msg && <Notice kind="ok">{msg}</Notice>}
      {suggestions.length > 0 && (
        <Notice kind="warn">
          {t('admin.suggestions', { n: suggestions.length })}{' '}
          {can('org.write') && (
            <button
              type="button"
              class="link"
              onClick={() => run(async () => {
                for (const s of suggestions) await api('PUT', '/api/v1/calendar/days/' + s.date, { kind: s.kind, name: s.name });
              }, t('admin.confirmed'))}
            >
              {t('admin.confirm_all')}
            </button>
          )}
        </Notice>
      )}
      <div class="year">
        {Array.from({ length: 12 }, (_, m) => (
          <table class="month" key={m}>
            <caption>{t('admin.month', { m: m + 1 })}</caption>
            <thead>
              <tr>
                {['T2', 'T3', 'T4', 'T5', 'T6', 'T7', 'CN'].map((w) => (
                  <th scope="col" key={w}>
                    {t(('wd.' + w) as any)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {chunk(monthGrid(year, m + 1), 7).map((row, r) => (
                <tr key={r}>
                  {row.map((day, c) => {
                    if (!day) return <td key={c} />;
                    const date = isoDate(year, m + 1, day);
                    const d = byDate.get(date);
                    return (
                      <td key={c} class={(d ? 'day-' + d.kind : c >= 5 ? 'weekend' : '') + (d?.source === 'computed' ? ' suggested' : '') + (sel === date ? ' sel' : '')}>
                        <button type="button" onClick={() => pick(date)} aria-label={date + (d ? ` – ${tName('daykind', d.kind)}${d.name ? ': ' + d.name : ''}` : '')} aria-pressed={sel === date}>
                          {day}
                        </button>
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      </div>
      {sel && can('org.write') && (
        <form
          class="panel"
          onSubmit={(e) => {
            e.preventDefault();
            run(() => api('PUT', '/api/v1/calendar/days/' + sel, { kind: form.kind, name: form.name || null }), t('common.saved'));
          }}
        >
          <h2>{sel}</h2>
          <Field label={t('admin.day_kind')}>
            {(id) => (
              <select id={id} value={form.kind} onChange={(e) => setForm({ ...form, kind: e.currentTarget.value })}>
                {kinds.map((k) => (
                  <option key={k} value={k}>
                    {tName('daykind', k)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('admin.day_name')}>{(id) => <input id={id} value={form.name} onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} />}</Field>
          <div class="row">
            <button type="submit" class="primary">
              {byDate.get(sel)?.source === 'computed' ? t('admin.confirm') : t('common.save')}
            </button>
            {byDate.has(sel) && (
              <button type="button" onClick={() => run(() => api('DELETE', '/api/v1/calendar/days/' + sel), t('admin.day_removed'))}>
                {t('admin.remove')}
              </button>
            )}
          </div>
        </form>
      )}
    </Frame>
  );
}

function chunk<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/* ---- settings --------------------------------------------------------------------- */

interface Hours {
  am_start: string;
  am_end: string;
  pm_start: string;
  pm_end: string;
  weekdays: number[];
  cutoff: string;
  hours_per_day?: number;
}

export function Settings(props: RouteProps) {
  const cur = useLoad(() => api<Hours>('GET', '/api/v1/calendar/settings'), []);
  return (
    <Frame {...props} title={t('admin.settings')} here="settings">
      <ErrorBox error={cur.error} />
      {cur.data && <HoursForm h={cur.data} onSaved={cur.reload} />}
    </Frame>
  );
}

function HoursForm(props: { h: Hours; onSaved: () => void }) {
  const [h, setH] = useState(props.h);
  const [error, setError] = useState<unknown>(null);
  const [ok, setOk] = useState(false);
  const time = (k: keyof Hours, label: string) => (
    <Field label={label}>{(id) => <input id={id} type="time" value={h[k] as string} onInput={(e) => setH({ ...h, [k]: e.currentTarget.value })} />}</Field>
  );
  return (
    <form
      class="panel"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(null);
        setOk(false);
        try {
          await api('PUT', '/api/v1/calendar/settings', { am_start: h.am_start, am_end: h.am_end, pm_start: h.pm_start, pm_end: h.pm_end, weekdays: h.weekdays, cutoff: h.cutoff });
          setOk(true);
          props.onSaved();
        } catch (err) {
          setError(err);
        }
      }}
    >
      <h2>{t('admin.hours')}</h2>
      <ErrorBox error={error} />
      {ok && <Notice kind="ok">{t('common.saved')}</Notice>}
      <div class="row wrap">
        {time('am_start', t('admin.am_start'))}
        {time('am_end', t('admin.am_end'))}
        {time('pm_start', t('admin.pm_start'))}
        {time('pm_end', t('admin.pm_end'))}
        {time('cutoff', t('admin.cutoff'))}
      </div>
      <fieldset class="radios">
        <legend>{t('admin.weekdays')}</legend>
        {[1, 2, 3, 4, 5, 6, 7].map((d) => (
          <label key={d}>
            <input
              type="checkbox"
              checked={h.weekdays.includes(d)}
              onChange={(e) => setH({ ...h, weekdays: e.currentTarget.checked ? [...h.weekdays, d].sort() : h.weekdays.filter((x) => x !== d) })}
            />{' '}
            {t(('wd.' + ['T2', 'T3', 'T4', 'T5', 'T6', 'T7', 'CN'][d - 1]) as any)}
          </label>
        ))}
      </fieldset>
      <button type="submit" class="primary">
        {t('common.save')}
      </button>
    </form>
  );
}

/* ---- workflows -------------------------------------------------------------------- */

export interface FlowStep {
  kind: string;
  role: string;
  unit: string;
  unit_id?: number | null;
  hours: number;
  kind_title?: string;
  role_title?: string;
}

interface FlowVersion {
  variant_id: number;
  unit_id: number;
  version_id: number;
  version: number;
  published_at: number;
  steps: (FlowStep & { ord: number })[];
}

/** The steps of the default flow (docs/catalog.md), the starting point of a first version. */
export const DEFAULT_STEPS: FlowStep[] = [
  { kind: 'receive', role: 'counter_officer', unit: 'receiving', hours: 4 },
  { kind: 'process', role: 'specialist', unit: 'competent', hours: 8 },
  { kind: 'approve', role: 'agency_leader', unit: 'competent', hours: 4 },
  { kind: 'return', role: 'counter_officer', unit: 'receiving', hours: 0 },
];

/** The publish body for the composed steps (only the fields of the request spec). */
export function flowBody(variant: string, unitId: string, steps: FlowStep[]): Record<string, unknown> {
  return {
    variant_code: variant || null,
    unit_id: unitId ? Number(unitId) : null,
    steps: steps.map((s) => ({ kind: s.kind, role: s.role, unit: s.unit, ...(s.unit === 'absolute' ? { unit_id: s.unit_id ? Number(s.unit_id) : null } : {}), hours: Number(s.hours) })),
  };
}

/** Which step (0-based) a server field such as "steps/2/unit_id" names, or -1. */
export function stepOfField(field: string | null | undefined): number {
  const m = /^steps\/(\d+)(\/|$)/.exec(field || '');
  return m ? Number(m[1]) : -1;
}

export function Flows(props: RouteProps) {
  const code = props.query.get('code') || '';
  const [q, setQ] = useState(code);
  const [tick, setTick] = useState(0);
  const res = useLoad(
    async () =>
      code
        ? {
            p: await api<Procedure>('GET', '/api/v1/procedures/' + enc(code)),
            flows: (await api<{ flows: FlowVersion[] }>('GET', `/api/v1/procedures/${enc(code)}/flows`)).flows,
          }
        : null,
    [code, tick],
  );
  return (
    <Frame {...props} title={t('flow.title')} here="flows">
      <p class="hint">{t('flow.lead')}</p>
      <form
        class="row"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          navigate('/admin/flows', { code: q.trim() });
        }}
      >
        <Field label={t('flow.code')}>{(id) => <input id={id} type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />}</Field>
        <button type="submit">{t('flow.open')}</button>
      </form>
      {res.error ? <ErrorBox error={res.error} /> : null}
      {code && res.loading && !res.data && <Loading />}
      {res.data && (
        <>
          <h2>
            {res.data.p.name} ({res.data.p.code})
          </h2>
          <FlowVersions p={res.data.p} flows={res.data.flows} />
          <FlowEditor key={res.data.p.code} p={res.data.p} start={res.data.flows[0]?.steps || DEFAULT_STEPS} onPublished={() => setTick(tick + 1)} />
        </>
      )}
    </Frame>
  );
}

function FlowVersions(props: { p: Procedure; flows: FlowVersion[] }) {
  const variant = (id: number) => (id ? props.p.variants.find((v) => v.id === id)?.name || '#' + id : t('flow.all_variants'));
  if (!props.flows.length) return <p>{t('flow.none')}</p>;
  return (
    <section aria-labelledby="flow-versions-h">
      <h3 id="flow-versions-h">{t('flow.versions')}</h3>
      <ul class="flows">
        {props.flows.map((f) => (
          <li key={f.version_id} data-flow-version={f.version}>
            <p>
              <strong>{t('flow.version', { n: f.version })}</strong> · {variant(f.variant_id)} · {f.unit_id ? t('flow.unit_only', { id: f.unit_id }) : t('flow.all_units')} · {dateTime(f.published_at)}
            </p>
            <ol>
              {f.steps.map((s) => (
                <li key={s.ord}>
                  {s.kind_title || s.kind} — {s.role_title || tName('role', s.role)} — {t(('flow.unit_' + s.unit) as any)}
                  {s.unit_id ? ' #' + s.unit_id : ''} — {t('flow.hours_n', { n: s.hours })}
                </li>
              ))}
            </ol>
          </li>
        ))}
      </ul>
    </section>
  );
}

function FlowEditor(props: { p: Procedure; start: FlowStep[]; onPublished: () => void }) {
  const kinds = useEnum('FlowPublish', 'steps/kind');
  const roles = useEnum('FlowPublish', 'steps/role');
  const units = useEnum('FlowPublish', 'steps/unit');
  const [steps, setSteps] = useState<FlowStep[]>(props.start.map((s) => ({ kind: s.kind, role: s.role, unit: s.unit, unit_id: s.unit_id ?? null, hours: s.hours })));
  const [variant, setVariant] = useState('');
  const [unitId, setUnitId] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const bad = error instanceof ApiError ? stepOfField(error.field) : -1;
  const set = (i: number, patch: Partial<FlowStep>) => setSteps(steps.map((s, j) => (j === i ? { ...s, ...patch } : s)));
  const move = (i: number, by: number) => {
    const n = [...steps];
    [n[i], n[i + by]] = [n[i + by], n[i]];
    setSteps(n);
  };
  const total = steps.reduce((a, s) => a + (Number(s.hours) || 0), 0);

  async function publish(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const r = await api<{ version: number }>('POST', `/api/v1/procedures/${enc(props.p.code)}/flows`, flowBody(variant, unitId, steps));
      setDone(r.version);
      props.onPublished();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  const opts = (xs: string[], label: (x: string) => string) =>
    xs.map((x) => (
      <option key={x} value={x}>
        {label(x)}
      </option>
    ));

  return (
    <form class="flow-editor" onSubmit={publish} aria-labelledby="flow-edit-h">
      <h3 id="flow-edit-h">{t('flow.new')}</h3>
      <p class="hint">{t('flow.new_hint')}</p>
      <div class="row">
        <Field label={t('flow.variant')}>
          {(id) => (
            <select id={id} value={variant} onChange={(e) => setVariant(e.currentTarget.value)}>
              <option value="">{t('flow.all_variants')}</option>
              {props.p.variants.map((v) => (
                <option key={v.code} value={v.code}>
                  {v.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('flow.unit_id')} hint={t('flow.unit_id_hint')} error={error instanceof ApiError && error.field === 'unit_id' ? error.detail || error.title : null}>
          {(id, by) => <input id={id} aria-describedby={by} inputMode="numeric" value={unitId} onInput={(e) => setUnitId(e.currentTarget.value)} />}
        </Field>
      </div>
      <ol class="flow-steps">
        {steps.map((s, i) => (
          <li key={i} class={bad === i ? 'invalid' : ''} data-step={i + 1}>
            <fieldset>
              <legend>{t('flow.step_n', { n: i + 1 })}</legend>
              {bad === i && (
                <p class="field-error" role="alert">
                  {(error as ApiError).detail || (error as ApiError).title}
                </p>
              )}
              <div class="row">
                <Field label={t('flow.kind')}>
                  {(id) => (
                    <select id={id} value={s.kind} onChange={(e) => set(i, { kind: e.currentTarget.value })}>
                      {opts(kinds.length ? kinds : [s.kind], (x) => t(('flow.kind_' + x) as any))}
                    </select>
                  )}
                </Field>
                <Field label={t('flow.role')}>
                  {(id) => (
                    <select id={id} value={s.role} onChange={(e) => set(i, { role: e.currentTarget.value })}>
                      {opts(roles.length ? roles : [s.role], (x) => tName('role', x))}
                    </select>
                  )}
                </Field>
                <Field label={t('flow.unit')}>
                  {(id) => (
                    <select id={id} value={s.unit} onChange={(e) => set(i, { unit: e.currentTarget.value })}>
                      {opts(units.length ? units : [s.unit], (x) => t(('flow.unit_' + x) as any))}
                    </select>
                  )}
                </Field>
                {s.unit === 'absolute' && (
                  <Field label={t('flow.abs_unit')}>
                    {(id, by) => <input id={id} aria-describedby={by} inputMode="numeric" required value={s.unit_id ?? ''} onInput={(e) => set(i, { unit_id: Number(e.currentTarget.value) || null })} />}
                  </Field>
                )}
                <Field label={t('flow.hours')}>
                  {(id) => <input id={id} type="number" min={0} max={100000} value={s.hours} onInput={(e) => set(i, { hours: Number(e.currentTarget.value) || 0 })} />}
                </Field>
              </div>
              <div class="actions">
                <button type="button" disabled={i === 0} onClick={() => move(i, -1)} aria-label={t('flow.up', { n: i + 1 })}>
                  ↑
                </button>
                <button type="button" disabled={i === steps.length - 1} onClick={() => move(i, 1)} aria-label={t('flow.down', { n: i + 1 })}>
                  ↓
                </button>
                <button type="button" disabled={steps.length <= 1} onClick={() => setSteps(steps.filter((_, j) => j !== i))}>
                  {t('flow.remove', { n: i + 1 })}
                </button>
              </div>
            </fieldset>
          </li>
        ))}
      </ol>
      <p>
        <button type="button" onClick={() => setSteps([...steps.slice(0, -1), { kind: 'process', role: 'specialist', unit: 'competent', hours: 4 }, ...steps.slice(-1)])}>
          {t('flow.add')}
        </button>
      </p>
      <p class="muted">{t('flow.total', { n: total })}</p>
      {bad < 0 && <ErrorBox error={error} />}
      {done !== null && <Notice kind="ok">{t('flow.published', { n: done })}</Notice>}
      <button type="submit" class="primary" disabled={busy}>
        {t('flow.publish')}
      </button>
    </form>
  );
}
