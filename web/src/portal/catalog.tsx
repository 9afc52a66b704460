// catalog.tsx - the portal's home (one search box, browsing by unit and by field), search
// results and the procedure page. Everything shown comes from the catalogue API.
import { useState } from 'preact/hooks';
import { api, qs } from '../lib/api';
import { t, tName } from '../lib/i18n';
import { money } from '../lib/format';
import { enc, href, navigate } from '../lib/router';
import { isApplicant } from '../lib/session';
import type { Page as PageOf, Procedure, ProcedureHit, ProcTime, Unit } from '../lib/types';
import type { RouteProps } from '../main';
import { ErrorBox, Field, Loading, Page, useLoad } from '../ui/ui';

const PAGE = 20;

function SearchBox(props: { q?: string; big?: boolean }) {
  const [q, setQ] = useState(props.q || '');
  return (
    <form
      role="search"
      class={props.big ? 'search big' : 'search'}
      onSubmit={(e) => {
        e.preventDefault();
        navigate('/procedures', { q: q.trim() });
      }}
    >
      <Field label={t('home.search_label')} hint={t('home.search_hint')}>
        {(id, by) => (
          <div class="row">
            <input id={id} aria-describedby={by} type="search" name="q" value={q} onInput={(e) => setQ(e.currentTarget.value)} autoComplete="off" />
            <button type="submit">{t('home.search_btn')}</button>
          </div>
        )}
      </Field>
    </form>
  );
}

export function Home(_: RouteProps) {
  const units = useLoad(() => api<PageOf<Unit>>('GET', '/api/v1/units' + qs({ parent: 1, limit: 200 })), []);
  const fields = useLoad(() => api<{ items: { name: string; code: string | null; count: number }[] }>('GET', '/api/v1/procedure-fields'), []);
  const [unit, setUnit] = useState('');
  const groups = new Map<string, Unit[]>();
  for (const u of units.data?.items || []) {
    const g = groups.get(u.kind_title) || [];
    g.push(u);
    groups.set(u.kind_title, g);
  }
  return (
    <Page title={t('home.title')}>
      <p class="lead">{t('home.lead')}</p>
      <SearchBox big />
      <div class="cards">
        <div class="card">
          <h2>{t('home.by_unit')}</h2>
          {units.error ? <ErrorBox error={units.error} /> : null}
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (unit) navigate('/procedures', { unit });
            }}
          >
            <Field label={t('home.unit_label')}>
              {(id) => (
                <select id={id} value={unit} onChange={(e) => setUnit(e.currentTarget.value)}>
                  <option value="">{t('common.choose')}</option>
                  {[...groups.entries()].map(([g, us]) => (
                    <optgroup label={g} key={g}>
                      {us.map((u) => (
                        <option value={u.id} key={u.id}>
                          {u.name}
                        </option>
                      ))}
                    </optgroup>
                  ))}
                </select>
              )}
            </Field>
            <button type="submit" disabled={!unit}>
              {t('home.unit_btn')}
            </button>
          </form>
        </div>
        <div class="card">
          <h2>{t('home.by_field')}</h2>
                    <ErrorBox error={fields.error} />
          <ul class="links">
            {[...(fields.data?.items || [])].sort((a, b) => a.name.localeCompare(b.name, 'vi')).map((f) => (
              <li key={f.name}>
                <a href={href('/procedures', { field: f.name })}>{f.name}</a> <span class="muted">({f.count})</span>
              </li>
            ))}
          </ul>
        </div>
        <div class="card">
          <h2>{t('home.lookup')}</h2>
          <p>{t('home.lookup_text')}</p>
          <a class="button" href="#/lookup">
            {t('nav.lookup')}
          </a>
        </div>
      </div>
    </Page>
  );
}

export function onlineLabel(level: string | null): string {
  return tName('online', level || 'none');
}

export function Search(props: RouteProps) {
  const q = props.query.get('q') || '';
  const field = props.query.get('field') || '';
  const unit = props.query.get('unit') || '';
  const offset = Number(props.query.get('offset') || 0) || 0;
  const res = useLoad(
    () => api<PageOf<ProcedureHit>>('GET', '/api/v1/procedures' + qs({ q, field, unit, limit: PAGE, offset })),
    [q, field, unit, offset],
  );
  const total = res.data?.total ?? 0;
  const go = (o: number) => navigate('/procedures', { q, field, unit, offset: o || undefined });
  return (
    <Page title={t('search.title')}>
      <SearchBox q={q} />
      {(field || unit) && (
        <p class="filters">
          {field && (
            <span class="chip">
              {t('search.field')}: {field} <a href={href('/procedures', { q, unit })} aria-label={t('search.remove_filter')}>×</a>
            </span>
          )}
          {unit && (
            <span class="chip">
              {t('search.unit')} #{unit} <a href={href('/procedures', { q, field })} aria-label={t('search.remove_filter')}>×</a>
            </span>
          )}
        </p>
      )}
      <ErrorBox error={res.error} />
      {res.loading && <Loading />}
      {res.data && (
        <>
          <p aria-live="polite">{t('search.count', { n: total })}</p>
          <ol class="results" start={offset + 1}>
            {res.data.items.map((p) => (
              <li key={p.code}>
                <a class="title" href={'#/procedures/' + enc(p.code)}>
                  {p.name}
                </a>
                <div class="meta">
                  <span class="code">{p.code}</span>
                  {p.field && <a href={href('/procedures', { field: p.field })}>{p.field}</a>}
                  <span class={'online ' + (p.online_level || 'none')}>{onlineLabel(p.online_level)}</span>
                </div>
              </li>
            ))}
          </ol>
          <nav class="pager" aria-label={t('common.pages')}>
            <button type="button" disabled={offset === 0} onClick={() => go(Math.max(0, offset - PAGE))}>
              {t('common.prev')}
            </button>
            <span>{t('search.range', { a: total ? offset + 1 : 0, b: Math.min(offset + PAGE, total), n: total })}</span>
            <button type="button" disabled={offset + PAGE >= total} onClick={() => go(offset + PAGE)}>
              {t('common.next')}
            </button>
          </nav>
        </>
      )}
    </Page>
  );
}

export function timeText(x: ProcTime): string {
  return `${x.amount} ${tName('channel', 'unit.' + x.unit, x.unit)}`;
}

function UnitsList(props: { units: Procedure['units'] }) {
  const [f, setF] = useState('');
  const list = props.units.filter((u) => !f || u.name.toLowerCase().includes(f.toLowerCase()) || u.code.includes(f));
  return (
    <div>
      {props.units.length > 8 && (
        <Field label={t('proc.filter_units')}>
          {(id) => <input id={id} type="search" value={f} onInput={(e) => setF(e.currentTarget.value)} />}
        </Field>
      )}
      <ul class="cols">
        {list.slice(0, 60).map((u) => (
          <li key={u.id}>{u.name}</li>
        ))}
      </ul>
      {list.length > 60 && <p class="muted">{t('proc.more_units', { n: list.length - 60 })}</p>}
    </div>
  );
}

export function ProcedurePage(props: RouteProps) {
  const code = props.params.code;
  const res = useLoad(() => api<Procedure>('GET', '/api/v1/procedures/' + enc(code)), [code]);
  if (res.loading) return <Loading />;
  if (res.error || !res.data)
    return (
      <Page title={t('proc.title')}>
        <ErrorBox error={res.error} />
      </Page>
    );
  const p = res.data;
  return (
    <Page title={p.name} wide>
      <dl class="facts">
        <dt>{t('proc.code')}</dt>
        <dd>{p.code}</dd>
        {p.field && (
          <>
            <dt>{t('proc.field')}</dt>
            <dd>
              <a href={href('/procedures', { field: p.field })}>{p.field}</a>
            </dd>
          </>
        )}
        {p.levels?.length > 0 && (
          <>
            <dt>{t('proc.levels')}</dt>
            <dd>{p.levels.join(', ')}</dd>
          </>
        )}
        <dt>{t('proc.online')}</dt>
        <dd>{onlineLabel(p.online_level)}</dd>
        {p.target_groups?.length > 0 && (
          <>
            <dt>{t('proc.targets')}</dt>
            <dd>{p.target_groups.join(', ')}</dd>
          </>
        )}
        {p.implementing_agency && (
          <>
            <dt>{t('proc.agency')}</dt>
            <dd>{p.implementing_agency}</dd>
          </>
        )}
        {p.competent_agency && (
          <>
            <dt>{t('proc.competent')}</dt>
            <dd>{p.competent_agency}</dd>
          </>
        )}
      </dl>
      {p.variants.map((v) => (
        <section class="variant" key={v.code} aria-labelledby={'v-' + v.code}>
          <h2 id={'v-' + v.code}>
            {p.variants.length > 1 ? t('proc.variant') + ': ' : ''}
            {v.name}
          </h2>
          <h3>{t('proc.time')}</h3>
          {v.no_due_date ? (
            <p>{t('proc.no_due')}</p>
          ) : (
            <ul>
              {v.times.map((x) => (
                <li key={x.channel}>
                  {tName('channel', String(x.channel))}: <strong>{timeText(x)}</strong>
                </li>
              ))}
            </ul>
          )}
          <h3>{t('proc.documents')}</h3>
          <div class="table-wrap" tabIndex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('proc.doc_name')}</th>
                  <th scope="col">{t('proc.originals')}</th>
                  <th scope="col">{t('proc.copies')}</th>
                  <th scope="col">{t('proc.required')}</th>
                </tr>
              </thead>
              <tbody>
                {v.documents.map((d, i) => (
                  <tr key={i}>
                    <td>
                      {d.name}
                      {d.template_file && (
                        <div class="muted">
                          {t('proc.template')}: {d.template_file} ({t('proc.template_pending')})
                        </div>
                      )}
                    </td>
                    <td>{d.originals}</td>
                    <td>{d.copies}</td>
                    <td>{d.required ? t('common.yes') : t('common.no')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p>
            {isApplicant(props.me) ? (
              <a class="button primary" href={href('/submit/' + enc(p.code), { variant: v.code })}>
                {t('proc.submit_online')}
              </a>
            ) : !props.me ? (
              <a class="button primary" href={href('/login', { next: '/submit/' + p.code + '?variant=' + v.code })}>
                {t('proc.login_to_submit')}
              </a>
            ) : null}
          </p>
        </section>
      ))}
      <h2>{t('proc.fees')}</h2>
      {p.fees.length === 0 ? (
        <p>{t('proc.no_fees')}</p>
      ) : (
        <ul>
          {p.fees.map((f, i) => (
            <li key={i}>
              {f.name}: <strong>{f.amount === null ? t('proc.fee_unknown') : f.amount === 0 ? t('proc.free') : money(f.amount, f.currency || 'VND')}</strong>
              {f.note && <span class="muted"> ({f.note})</span>}
            </li>
          ))}
        </ul>
      )}
      {p.results.length > 0 && (
        <>
          <h2>{t('proc.results')}</h2>
          <ul>
            {p.results.map((r, i) => (
              <li key={i}>{r.name}</li>
            ))}
          </ul>
        </>
      )}
      {p.legal_basis && (
        <>
          <h2>{t('proc.legal')}</h2>
          <p class="pre">{p.legal_basis}</p>
        </>
      )}
      <h2>{t('proc.where')}</h2>
      <UnitsList units={p.units} />
    </Page>
  );
}
