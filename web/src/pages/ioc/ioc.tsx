// ioc.tsx - the operations centre for the province's big screen: today and this period,
// online share, on-time rate, overdue now, the Decision 766 score, a 30-day trend, the unit
// tree coloured by on-time rate, the latest events and the procedures and units most often
// late. Live: GET /api/v1/stats/ioc/events (Server-Sent Events) says "change" when a dossier
// moves and the page reloads the figures (GET /api/v1/stats/ioc). Charts (Apache ECharts) load
// as a separate chunk after the figures are shown. Lazy route: nothing of it is in the first view.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { RouteProps } from '../../main';
import { api } from '../../lib/api';
import { t, tName } from '../../lib/i18n';
import { ErrorBox, Loading, Notice, Page } from '../../ui/ui';
import { dayLabel, num, pct, periodsOf, rateClass, tx } from './text';
import type { Chart } from './charts';
import './ioc.css';

interface Unit {
  id: number;
  parent_id: number;
  code: string;
  name: string;
  level: string;
  received: number;
  resolved: number;
  late: number;
  on_time_rate: number | null;
  overdue_now: number;
}

export interface IocData {
  as_of: number;
  cursor: number;
  period: { label: string; from: number; to: number };
  today: { submitted: number; received: number; received_online: number; online_share: number | null; resolved: number; resolved_late: number; on_time_rate: number | null };
  period_totals: {
    received: number;
    received_online: number;
    carried_over: number;
    online_share: number | null;
    resolved: number;
    resolved_on_time: number;
    resolved_late: number;
    on_time_rate: number | null;
    in_progress: number;
    overdue: number;
  };
  overdue_now: number;
  index766: { total: number; max: number; not_computed_max: number; version: string };
  trend: { date: number; received: number; received_online: number; resolved: number; late: number; submitted: number }[];
  units: Unit[];
  latest_events: { id: number; at: number; action: string | null; from: number; to: number; code: string | null; procedure_name: string | null; unit_name: string | null; result: string | null }[];
  top_late_procedures: { procedure_id: number; code: string | null; name: string | null; late: number; resolved: number }[];
  top_late_units: { id: number; code: string; name: string; late: number; resolved: number }[];
}

type Live = 'connecting' | 'live' | 'offline';

const clock = (unix: number) =>
  new Date(unix * 1000).toLocaleTimeString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** Loads the figures now and again on every "change" of the event stream; loads that arrive
 * while one runs are folded into one more. Without a live stream it refreshes every 30 s. */
function useIoc(period: string, signedIn: boolean): { data: IocData | null; error: unknown; live: Live } {
  const [data, setData] = useState<IocData | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [live, setLive] = useState<Live>('connecting');
  useEffect(() => {
    if (!signedIn) return; // the page asks to sign in; nothing to load or listen to
    let alive = true;
    let busy = false;
    let again = false;
    const load = async (): Promise<void> => {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      try {
        const d = await api<IocData>('GET', '/api/v1/stats/ioc' + (period ? '?period=' + encodeURIComponent(period) : ''));
        if (alive) {
          setData(d);
          setError(null);
        }
      } catch (e) {
        if (alive) setError(e);
      }
      busy = false;
      if (again && alive) {
        again = false;
        return load();
      }
    };
    load();
    let es: EventSource | null = null;
    let opened = false;
    if (typeof EventSource !== 'undefined') {
      es = new EventSource('/api/v1/stats/ioc/events');
      es.onopen = () => {
        setLive('live');
        if (opened) load(); // a reconnect: something may have changed meanwhile
        opened = true;
      };
      es.addEventListener('change', () => load());
      es.onerror = () => setLive('offline');
    } else setLive('offline');
    const timer = setInterval(() => {
      if (!es || es.readyState !== 1) load();
    }, 30000);
    return () => {
      alive = false;
      es?.close();
      clearInterval(timer);
    };
  }, [period, signedIn]);
  return { data, error, live };
}

function Tile(props: { label: string; value: string; sub?: string; tone?: string; testid?: string }) {
  return (
    <div class={`tile ${props.tone || ''}`}>
      <p class="tile-label">{props.label}</p>
      <p class="tile-value" data-testid={props.testid}>
        {props.value}
      </p>
      {props.sub && <p class="tile-sub">{props.sub}</p>}
    </div>
  );
}

/** A chart drawn by ECharts (loaded on first use); draw gets the chart module and the chart. */
function EChart(props: { label: string; option: (m: typeof import('./charts')) => Record<string, unknown>; height: number }) {
  const el = useRef<HTMLDivElement>(null);
  const ch = useRef<Chart | null>(null);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let live = true;
    import('./charts').then((m) => {
      if (!live || !el.current) return;
      ch.current = m.chart(el.current);
      ch.current.set(props.option(m));
      setReady(true);
    });
    return () => {
      live = false;
      ch.current?.dispose();
      ch.current = null;
    };
  }, []);
  useEffect(() => {
    if (ready && ch.current) import('./charts').then((m) => ch.current?.set(props.option(m)));
  });
  return (
    <div class="chart" ref={el} style={{ height: props.height + 'px' }} role="img" aria-label={props.label}>
      {!ready && <p class="muted">{tx('ioc.chart_loading')}</p>}
    </div>
  );
}

function UnitTree(props: { units: Unit[] }) {
  const ids = new Set(props.units.map((u) => u.id));
  const kids = new Map<number, Unit[]>();
  const roots: Unit[] = [];
  for (const u of props.units) {
    if (u.parent_id && ids.has(u.parent_id)) {
      const k = kids.get(u.parent_id) || [];
      k.push(u);
      kids.set(u.parent_id, k);
    } else roots.push(u);
  }
  const byName = (a: Unit, b: Unit) => a.name.localeCompare(b.name, 'vi');
  const node = (u: Unit, depth: number) => {
    const k = (kids.get(u.id) || []).sort(byName);
    const line = (
      <span class="unit">
        <span class={`rate ${rateClass(u.on_time_rate)}`}>{pct(u.on_time_rate, tx('ioc.no_rate'))}</span>
        <span class="unit-name">{u.name}</span>
        <span class="unit-meta">{tx('ioc.unit_line', { res: num(u.resolved), od: num(u.overdue_now) })}</span>
      </span>
    );
    if (!k.length) return <li key={u.id}>{line}</li>;
    return (
      <li key={u.id}>
        <details open={depth < 1}>
          <summary>{line}</summary>
          <ul>{k.map((c) => node(c, depth + 1))}</ul>
        </details>
      </li>
    );
  };
  return <ul class="unit-tree">{roots.sort(byName).map((u) => node(u, 0))}</ul>;
}

export function Ioc(props: RouteProps) {
  const periods = periodsOf(new Date());
  const [period, setPeriod] = useState(props.query.get('period') || '');
  const { data, error, live } = useIoc(period, !!props.me);
  if (!props.me)
    return (
      <Page title={tx('ioc.title')}>
        <Notice kind="warn">
          <a href="#/login">{t('nav.login')}</a>
        </Notice>
      </Page>
    );
  const d = data;
  const pt = d?.period_totals;
  return (
    <Page title={tx('ioc.title')} wide>
      <div class="ioc" data-cursor={d ? d.cursor : ''} data-testid="ioc">
        <div class="ioc-bar">
          <p class={`live ${live}`} role="status" data-testid="ioc-live">
            <span class="dot" aria-hidden="true" />
            {live === 'live' ? tx('ioc.live') : live === 'offline' ? tx('ioc.offline') : tx('ioc.connecting')}
            {d && <span class="muted"> · {tx('ioc.updated', { t: clock(d.as_of) })}</span>}
          </p>
          <label class="period">
            {tx('ioc.period')}{' '}
            <select value={period} onChange={(e) => setPeriod((e.target as HTMLSelectElement).value)}>
              <option value="">{tx('ioc.period.month')}</option>
              <option value={periods.quarter}>{tx('ioc.period.quarter')}</option>
              <option value={periods.year}>{tx('ioc.period.year')}</option>
            </select>
          </label>
          {d && (
            <p class="muted period-range">
              {d.period.label}
            </p>
          )}
        </div>
        <ErrorBox error={error} />
        {!d ? (
          !error && <Loading />
        ) : (
          <>
            <div class="tiles">
              <Tile label={tx('ioc.received_today')} value={num(d.today.received)} sub={tx('ioc.submitted_today', { n: num(d.today.submitted) })} testid="ioc-received-today" />
              <Tile label={tx('ioc.received_period')} value={num(pt!.received)} sub={tx('ioc.in_progress', { n: num(pt!.in_progress) })} testid="ioc-received-period" />
              <Tile label={tx('ioc.online_share')} value={pct(pt!.online_share, tx('ioc.no_rate'))} sub={tx('ioc.online_of', { n: num(pt!.received_online) })} />
              <Tile
                label={tx('ioc.on_time_rate')}
                value={pct(pt!.on_time_rate, tx('ioc.no_rate'))}
                sub={tx('ioc.late_of', { n: num(pt!.resolved_late) })}
                tone={rateClass(pt!.on_time_rate)}
              />
              <Tile label={tx('ioc.overdue_now')} value={num(d.overdue_now)} tone={d.overdue_now > 0 ? 'r-bad' : 'r-good'} testid="ioc-overdue" />
              <Tile
                label={tx('ioc.score766')}
                value={d.index766.total.toLocaleString('vi-VN', { maximumFractionDigits: 2 })}
                sub={tx('ioc.score_of', { max: d.index766.max, na: d.index766.not_computed_max })}
              />
            </div>
            <div class="ioc-grid">
              <section class="panel trend" aria-labelledby="ioc-trend">
                <h2 id="ioc-trend">{tx('ioc.trend')}</h2>
                <EChart
                  label={tx('ioc.trend')}
                  height={260}
                  option={(m) =>
                    m.trendOption(
                      d.trend.map((p) => ({ label: dayLabel(p.date), received: p.received, resolved: p.resolved, late: p.late })),
                      { received: tx('ioc.trend.received'), resolved: tx('ioc.trend.resolved'), late: tx('ioc.trend.late') },
                    )
                  }
                />
              </section>
              <section class="panel events" aria-labelledby="ioc-events">
                <h2 id="ioc-events">{tx('ioc.events')}</h2>
                {d.latest_events.length === 0 ? (
                  <p class="muted">{tx('ioc.no_events')}</p>
                ) : (
                  <ol class="event-list" data-testid="ioc-events" tabIndex={0} aria-labelledby="ioc-events">
                    {d.latest_events.map((e) => (
                      <li key={e.id}>
                        <span class="when">{clock(e.at)}</span> <span class="code">{e.code}</span>{' '}
                        <strong>{tName('action', e.action || '', e.action)}</strong>
                        <span class="what">
                          {e.procedure_name}
                          {e.unit_name ? ` · ${e.unit_name}` : ''}
                        </span>
                      </li>
                    ))}
                  </ol>
                )}
              </section>
              <section class="panel" aria-labelledby="ioc-procs">
                <h2 id="ioc-procs">{tx('ioc.top_procs')}</h2>
                {d.top_late_procedures.length === 0 ? (
                  <p class="muted">{tx('ioc.none_late')}</p>
                ) : (
                  <>
                    <EChart
                      label={tx('ioc.top_procs')}
                      height={40 + 32 * d.top_late_procedures.length}
                      option={(m) => m.lateBarsOption(d.top_late_procedures.map((p) => ({ name: p.name || p.code || '?', late: p.late })), tx('ioc.late'))}
                    />
                    <ol class="late-list">
                      {d.top_late_procedures.map((p) => (
                        <li key={p.procedure_id}>
                          {p.name || p.code} <span class="muted">– {tx('ioc.late_n', { late: num(p.late), res: num(p.resolved) })}</span>
                        </li>
                      ))}
                    </ol>
                  </>
                )}
              </section>
              <section class="panel" aria-labelledby="ioc-lunits">
                <h2 id="ioc-lunits">{tx('ioc.top_units')}</h2>
                {d.top_late_units.length === 0 ? (
                  <p class="muted">{tx('ioc.none_late')}</p>
                ) : (
                  <ol class="late-list">
                    {d.top_late_units.map((u) => (
                      <li key={u.id}>
                        {u.name} <span class="muted">– {tx('ioc.late_n', { late: num(u.late), res: num(u.resolved) })}</span>
                      </li>
                    ))}
                  </ol>
                )}
              </section>
              <section class="panel units" aria-labelledby="ioc-units">
                <h2 id="ioc-units">{tx('ioc.units')}</h2>
                <p class="muted small">{tx('ioc.legend')}</p>
                <UnitTree units={d.units} />
              </section>
            </div>
          </>
        )}
      </div>
    </Page>
  );
}
