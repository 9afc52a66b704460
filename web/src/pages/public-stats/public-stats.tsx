// public-stats.tsx - the province's published figures, for everyone (no sign-in): received,
// online share, resolved on time and late, in progress, overdue and satisfaction for a Decree 09
// period, for the whole province and per level (GET /api/v1/public/stats). Lazy route.
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import type { RouteProps } from '../../main';
import { api } from '../../lib/api';
import { ErrorBox, Loading, Page, useLoad } from '../../ui/ui';
import { dateLabel, num, pct, periodsOf, tx } from '../ioc/text';
import '../ioc/ioc.css';

interface Totals {
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
  submitted: number;
  rated: number;
  rated_satisfied: number;
}

interface PublicStats {
  period: { label: string; from: number; to: number };
  totals: Totals;
  levels: Record<string, Totals>;
  as_of: number;
}

const share = (a: number, b: number) => (b > 0 ? a / b : null);

function Figures(props: { t: Totals }) {
  const x = props.t;
  const none = tx('pub.no_data');
  const rows: [string, string, string?][] = [
    [tx('pub.received'), num(x.received)],
    [tx('pub.online'), num(x.received_online), pct(x.online_share, none)],
    [tx('pub.carried'), num(x.carried_over)],
    [tx('pub.resolved'), num(x.resolved)],
    [tx('pub.on_time'), num(x.resolved_on_time), pct(x.on_time_rate, none)],
    [tx('pub.late'), num(x.resolved_late), pct(share(x.resolved_late, x.resolved), none)],
    [tx('pub.in_progress'), num(x.in_progress)],
    [tx('pub.overdue'), num(x.overdue)],
    [tx('pub.satisfied'), tx('pub.rated', { s: num(x.rated_satisfied), n: num(x.rated) }), pct(share(x.rated_satisfied, x.rated), none)],
  ];
  return (
    <dl class="facts" data-testid="public-totals">
      {rows.map(([k, v, r]) => (
        <Fragment key={k}>
          <dt>{k}</dt>
          <dd>
            <strong>{v}</strong>
            {r !== undefined && <span class="muted"> ({r})</span>}
          </dd>
        </Fragment>
      ))}
    </dl>
  );
}

export function PublicStats(props: RouteProps) {
  const periods = periodsOf(new Date());
  const [period, setPeriod] = useState(props.query.get('period') || periods.year);
  const r = useLoad(() => api<PublicStats>('GET', '/api/v1/public/stats?period=' + encodeURIComponent(period)), [period]);
  const d = r.data;
  const none = tx('pub.no_data');
  return (
    <Page title={tx('pub.title')}>
      <p class="lead">{tx('pub.lead')}</p>
      <label class="period">
        {tx('ioc.period')}{' '}
        <select value={period} onChange={(e) => setPeriod((e.target as HTMLSelectElement).value)}>
          <option value={periods.year}>{tx('ioc.period.year')}</option>
          <option value={periods.quarter}>{tx('ioc.period.quarter')}</option>
          <option value={periods.month}>{tx('ioc.period.month')}</option>
        </select>
      </label>
      <ErrorBox error={r.error} />
      {r.loading && !d && <Loading />}
      {d && (
        <>
          <h2>
            {tx('pub.total')}: {d.period.label} ({dateLabel(d.period.from)} – {dateLabel(d.period.to)})
          </h2>
          <Figures t={d.totals} />
          <h2>{tx('pub.levels')}</h2>
          <div class="table-wrap" tabIndex={0} role="region" aria-label={tx('pub.levels')}>
            <table class="pub-table">
              <thead>
                <tr>
                  <th scope="col">{tx('pub.level')}</th>
                  <th scope="col">{tx('pub.received')}</th>
                  <th scope="col">{tx('pub.online')}</th>
                  <th scope="col">{tx('pub.resolved')}</th>
                  <th scope="col">{tx('pub.on_time')}</th>
                  <th scope="col">{tx('pub.overdue')}</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(d.levels).map(([name, x]) => (
                  <tr key={name}>
                    <th scope="row">{name}</th>
                    <td>{num(x.received)}</td>
                    <td>{pct(x.online_share, none)}</td>
                    <td>{num(x.resolved)}</td>
                    <td>{pct(x.on_time_rate, none)}</td>
                    <td>{num(x.overdue)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p class="muted small">
            {tx('pub.as_of', { t: new Date(d.as_of * 1000).toLocaleString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh' }) })}
          </p>
        </>
      )}
    </Page>
  );
}
