// outbox.tsx - administration of the integrations (a lazily loaded chunk, permission
// outbox.manage): the health of the integrations on top (GET /api/v1/outbox/health, the same
// reading as the tinhso_outbox_* gauges of /metrics), the messages filtered by status, target
// and dossier code, paged (GET /api/v1/outbox), one message with its payload, attempts, last
// error and times (GET /api/v1/outbox/{id}), and retry of a dead letter / replay of a delivered
// message after a confirmation (POST .../retry, .../replay). The page decides nothing: what can
// be retried or replayed is the server's check (409 is shown in place).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, qs } from '../lib/api';
import { t } from '../lib/i18n';
import { dateTime } from '../lib/format';
import { href, navigate } from '../lib/router';
import type { RouteProps } from '../main';
import { ErrorBox, Field, Loading, Notice, useLoad } from '../ui/ui';
import { Frame } from './admin';
import { age, secs, targetName, tx } from './outbox-text';
import './outbox.css';

export interface TargetHealth {
  name: string;
  topic_prefix: string;
  pending: number;
  dead: number;
  oldest_pending_seconds: number;
  delivered: number;
  failures: number;
  dead_lettered: number;
  attempts: number;
  latency_seconds_avg: number | null;
  attempt_seconds_avg: number | null;
}

export interface Health {
  at: number;
  pending: number;
  dead: number;
  oldest_pending_seconds: number;
  dispatcher_running: boolean;
  targets: TargetHealth[];
}

export interface OutboxMessage {
  id: number;
  topic: string;
  key: string;
  payload: unknown;
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  next_attempt_at: number;
  done_at: number | null;
  last_error: string | null;
  claimed_by: string | null;
  claimed_until: number | null;
  delivered_ms: number | null;
  replay_of: number | null;
  created_at: number;
}

const PAGE = 25;
const STATUSES = ['pending', 'delivered', 'dead'] as const;
const PERM = 'outbox.manage';

/** Re-runs f every ms while `on` and the page is visible; the interval ends with the page. */
function useEvery(ms: number, on: boolean, f: () => void) {
  const fr = useRef(f);
  fr.current = f;
  useEffect(() => {
    if (!on) return;
    const id = setInterval(() => {
      if (typeof document === 'undefined' || document.visibilityState !== 'hidden') fr.current();
    }, ms);
    return () => clearInterval(id);
  }, [ms, on]);
}

export function StatusBadge(props: { status: string }) {
  const known = (STATUSES as readonly string[]).includes(props.status);
  return <span class={`badge ob-${props.status}`}>{known ? tx(`ob.status.${props.status as (typeof STATUSES)[number]}`) : props.status}</span>;
}

function HealthPanel(props: { h: Health | undefined; error: unknown; onRefresh: () => void }) {
  const h = props.h;
  return (
    <section class="panel ob-health" aria-labelledby="ob-health-h" data-testid="outbox-health">
      <div class="ob-head">
        <h2 id="ob-health-h">{tx('ob.health')}</h2>
        <button type="button" onClick={props.onRefresh}>
          {tx('ob.refresh')}
        </button>
      </div>
      <ErrorBox error={props.error} />
      {!h && !props.error && <Loading />}
      {h && (
        <>
          <p class="muted small">
            {tx('ob.health_at', { t: dateTime(h.at) })}
          </p>
          {!h.dispatcher_running && <Notice kind="warn">{tx('ob.no_dispatcher')}</Notice>}
          <div class="ob-tiles">
            <div class={`ob-tile ${h.pending ? 'warn' : ''}`}>
              <p class="ob-label">{tx('ob.pending')}</p>
              <p class="ob-value" data-testid="outbox-pending">
                {h.pending}
              </p>
            </div>
            <div class={`ob-tile ${h.dead ? 'bad' : ''}`}>
              <p class="ob-label">{tx('ob.dead')}</p>
              <p class="ob-value" data-testid="outbox-dead">
                {h.dead}
              </p>
            </div>
            <div class="ob-tile">
              <p class="ob-label">{tx('ob.oldest')}</p>
              <p class="ob-value" data-testid="outbox-oldest">
                {h.pending ? age(h.oldest_pending_seconds) : tx('ob.none_waiting')}
              </p>
            </div>
          </div>
          {h.targets.length > 0 && (
            <>
              <h3>{tx('ob.targets')}</h3>
              <div class="table-wrap" tabIndex={0} role="region" aria-label={tx('ob.targets')}>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{tx('ob.target')}</th>
                      <th scope="col">{tx('ob.pending')}</th>
                      <th scope="col">{tx('ob.dead')}</th>
                      <th scope="col">{tx('ob.oldest')}</th>
                      <th scope="col">{tx('ob.delivered')}</th>
                      <th scope="col">{tx('ob.failures')}</th>
                      <th scope="col">{tx('ob.dead_lettered')}</th>
                      <th scope="col">{tx('ob.latency')}</th>
                      <th scope="col">{tx('ob.attempt_time')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {h.targets.map((x) => (
                      <tr key={x.name} data-testid={'health-' + x.name}>
                        <th scope="row">{targetName(x.name)}</th>
                        <td data-col="pending">{x.pending}</td>
                        <td data-col="dead">{x.dead}</td>
                        <td data-col="oldest">{x.pending ? age(x.oldest_pending_seconds) : tx('ob.none_waiting')}</td>
                        <td data-col="delivered">{x.delivered}</td>
                        <td data-col="failures">{x.failures}</td>
                        <td data-col="dead_lettered">{x.dead_lettered}</td>
                        <td data-col="latency">{secs(x.latency_seconds_avg)}</td>
                        <td data-col="attempt">{secs(x.attempt_seconds_avg)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <p class="hint">{tx('ob.counters_note')}</p>
            </>
          )}
        </>
      )}
    </section>
  );
}

/** #/admin/outbox?status=&topic=&key= - health on top, then the messages, newest filters in the URL. */
export function Outbox(props: RouteProps) {
  const status = props.query.get('status') || '';
  const topic = props.query.get('topic') || '';
  const key = props.query.get('key') || '';
  const [keyInput, setKeyInput] = useState(key);
  const [cursor, setCursor] = useState<number[]>([]); // the `after` of each page before this one
  const [tick, setTick] = useState(0);
  const allowed = !!props.me && props.me.permissions.includes(PERM);
  const health = useLoad<Health | undefined>(() => (allowed ? api<Health>('GET', '/api/v1/outbox/health') : Promise.resolve(undefined)), [allowed, tick]);
  const after = cursor.length ? cursor[cursor.length - 1] : 0;
  const list = useLoad<{ items: OutboxMessage[]; next_after: number | null } | undefined>(
    () => (allowed ? api('GET', '/api/v1/outbox' + qs({ status, topic, key, after: after || undefined, limit: PAGE })) : Promise.resolve(undefined)),
    [allowed, status, topic, key, after, tick],
  );
  useEffect(() => {
    setCursor([]);
    setKeyInput(key);
  }, [status, topic, key]);
  useEvery(10000, allowed, () => setTick((x) => x + 1));
  const setQ = (q: Record<string, string | undefined>) => navigate('/admin/outbox', { status, topic, key, ...q });
  const targets = health.data?.targets || [];
  return (
    <Frame {...props} title={tx('ob.title')} here="outbox" perm={PERM}>
      <p>{tx('ob.lead')}</p>
      <HealthPanel h={health.data} error={health.error} onRefresh={() => setTick((x) => x + 1)} />
      <h2 id="ob-list-h">{tx('ob.messages')}</h2>
      <form
        class="filters row wrap"
        aria-labelledby="ob-list-h"
        onSubmit={(e) => {
          e.preventDefault();
          setQ({ key: keyInput.trim() || undefined });
        }}
      >
        <Field label={tx('ob.filter_status')}>
          {(id) => (
            <select id={id} value={status} onChange={(e) => setQ({ status: e.currentTarget.value || undefined })}>
              <option value="">{t('common.all')}</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {tx(`ob.status.${s}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        {(targets.length > 0 || topic) && (
          <Field label={tx('ob.filter_target')}>
            {(id) => (
              <select id={id} value={topic} onChange={(e) => setQ({ topic: e.currentTarget.value || undefined })}>
                <option value="">{t('common.all')}</option>
                {targets.map((x) => (
                  <option key={x.name} value={x.topic_prefix}>
                    {targetName(x.name)}
                  </option>
                ))}
                {topic && !targets.some((x) => x.topic_prefix === topic) && <option value={topic}>{topic}</option>}
              </select>
            )}
          </Field>
        )}
        <Field label={tx('ob.filter_key')} hint={tx('ob.filter_key_hint')}>
          {(id, by) => <input id={id} aria-describedby={by} type="search" value={keyInput} onInput={(e) => setKeyInput(e.currentTarget.value)} />}
        </Field>
        <button type="submit">{tx('ob.filter')}</button>
      </form>
      <ErrorBox error={list.error} />
      {list.loading && !list.data && allowed && <Loading />}
      {list.data && (
        <>
          <p class="muted small" aria-live="polite">
            {tx('ob.shown', { n: list.data.items.length, more: list.data.next_after ? '+' : '' })}
          </p>
          <div class="table-wrap" tabIndex={0} role="region" aria-labelledby="ob-list-h">
            <table class="ob-list" data-testid="outbox-list">
              <thead>
                <tr>
                  <th scope="col">{tx('ob.id')}</th>
                  <th scope="col">{tx('ob.topic')}</th>
                  <th scope="col">{tx('ob.key')}</th>
                  <th scope="col">{tx('ob.status')}</th>
                  <th scope="col">{tx('ob.attempts')}</th>
                  <th scope="col">{tx('ob.created')}</th>
                  <th scope="col">{tx('ob.last_error')}</th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.length === 0 && (
                  <tr>
                    <td colSpan={7}>{tx('ob.empty')}</td>
                  </tr>
                )}
                {list.data.items.map((m) => (
                  <tr key={m.id} data-id={m.id}>
                    <td>
                      <a href={href('/admin/outbox/' + m.id)} aria-label={tx('ob.message', { id: m.id })}>
                        {m.id}
                      </a>
                    </td>
                    <td>{m.topic}</td>
                    <td class="ob-key">{m.key}</td>
                    <td>
                      <StatusBadge status={m.status} />
                    </td>
                    <td>{m.attempts}</td>
                    <td>{dateTime(m.created_at)}</td>
                    <td class="ob-err">{m.last_error || ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      <nav class="pager" aria-label={t('common.pages')}>
        <button type="button" disabled={!cursor.length} onClick={() => setCursor(cursor.slice(0, -1))}>
          {t('common.prev')}
        </button>
        <button type="button" disabled={!list.data?.next_after} onClick={() => setCursor([...cursor, list.data!.next_after!])}>
          {t('common.next')}
        </button>
      </nav>
    </Frame>
  );
}

type Ask = null | 'retry' | 'replay';

/** #/admin/outbox/:id - one message; retry (dead) or replay (delivered) after a confirmation. */
export function OutboxMessagePage(props: RouteProps) {
  const id = Number(props.params.id);
  const allowed = !!props.me && props.me.permissions.includes(PERM);
  const [tick, setTick] = useState(0);
  const msg = useLoad<OutboxMessage | undefined>(() => (allowed ? api<OutboxMessage>('GET', '/api/v1/outbox/' + id) : Promise.resolve(undefined)), [id, allowed, tick]);
  const [ask, setAsk] = useState<Ask>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<{ text: string; newId?: number } | null>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const m = msg.data && msg.data.id === id ? msg.data : undefined; // never the previous message under this title
  useEffect(() => {
    setAsk(null);
    setDone(null);
    setError(null);
  }, [id]);
  useEffect(() => {
    if (ask) confirmRef.current?.focus();
  }, [ask]);
  // a waiting message changes on its own (delivered, retried later, dead): read it again
  useEvery(2000, allowed && m?.status === 'pending', () => setTick((x) => x + 1));

  const run = async (what: 'retry' | 'replay') => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const r = await api<OutboxMessage>('POST', `/api/v1/outbox/${id}/${what}`);
      if (what === 'retry') {
        msg.set(r);
        setDone({ text: tx('ob.retried', { id }) });
      } else setDone({ text: tx('ob.replayed', { id: r.id }), newId: r.id });
      setAsk(null);
    } catch (e) {
      setError(e);
      setAsk(null);
      setTick((x) => x + 1); // the server's state may have moved: show it
    } finally {
      setBusy(false);
    }
  };

  return (
    <Frame {...props} title={tx('ob.message', { id })} here="outbox" perm={PERM}>
      <p>
        <a href={href('/admin/outbox')}>{tx('ob.back')}</a>
      </p>
      <ErrorBox error={msg.error} />
      {done && (
        <Notice kind="ok">
          {done.text}
          {done.newId && (
            <>
              {' '}
              <a href={href('/admin/outbox/' + done.newId)}>{tx('ob.open_new')}</a>
            </>
          )}
        </Notice>
      )}
      <ErrorBox error={error} />
      {msg.loading && !m && allowed && <Loading />}
      {m && (
        <>
          <dl class="facts" data-testid="outbox-message">
            <dt>{tx('ob.status')}</dt>
            <dd>
              <StatusBadge status={m.status} />
            </dd>
            <dt>{tx('ob.topic')}</dt>
            <dd>{m.topic}</dd>
            <dt>{tx('ob.key')}</dt>
            <dd class="ob-key">{m.key}</dd>
            <dt>{tx('ob.attempts')}</dt>
            <dd>{m.attempts}</dd>
            <dt>{tx('ob.created')}</dt>
            <dd>{dateTime(m.created_at)}</dd>
            {m.status === 'pending' && (
              <>
                <dt>{tx('ob.next_attempt')}</dt>
                <dd>{dateTime(m.next_attempt_at)}</dd>
              </>
            )}
            {m.done_at !== null && (
              <>
                <dt>{tx('ob.done')}</dt>
                <dd>{dateTime(m.done_at)}</dd>
              </>
            )}
            {m.delivered_ms !== null && (
              <>
                <dt>{tx('ob.latency_one')}</dt>
                <dd>{secs(m.delivered_ms / 1000)}</dd>
              </>
            )}
            {m.claimed_by && (
              <>
                <dt>{tx('ob.claimed')}</dt>
                <dd>
                  {m.claimed_by} {m.claimed_until ? tx('ob.claimed_until', { t: dateTime(m.claimed_until) }) : ''}
                </dd>
              </>
            )}
            {m.replay_of !== null && (
              <>
                <dt>{tx('ob.replay_of')}</dt>
                <dd>
                  <a href={href('/admin/outbox/' + m.replay_of)}>{m.replay_of}</a>
                </dd>
              </>
            )}
            <dt>{tx('ob.last_error')}</dt>
            <dd class="ob-err" data-testid="outbox-last-error">
              {m.last_error || tx('ob.none')}
            </dd>
          </dl>
          {m.status === 'pending' && <p class="muted small">{tx('ob.auto')}</p>}
          {!ask && (m.status === 'dead' || m.status === 'delivered') && (
            <div class="actions">
              {m.status === 'dead' ? (
                <button type="button" class="primary" onClick={() => setAsk('retry')}>
                  {tx('ob.retry')}
                </button>
              ) : (
                <button type="button" onClick={() => setAsk('replay')}>
                  {tx('ob.replay')}
                </button>
              )}
            </div>
          )}
          {ask && (
            <div class="panel warn" role="group" aria-labelledby="ob-ask">
              <p id="ob-ask">{ask === 'retry' ? tx('ob.retry_q', { id }) : tx('ob.replay_q', { id })}</p>
              <div class="actions">
                <button type="button" class="primary" ref={confirmRef} disabled={busy} onClick={() => run(ask)}>
                  {tx('ob.confirm')}: {ask === 'retry' ? tx('ob.retry') : tx('ob.replay')}
                </button>
                <button type="button" disabled={busy} onClick={() => setAsk(null)}>
                  {t('common.cancel')}
                </button>
              </div>
            </div>
          )}
          <h2 id="ob-payload-h">{tx('ob.payload')}</h2>
          <pre class="ob-payload" tabIndex={0} role="region" aria-labelledby="ob-payload-h">
            {JSON.stringify(m.payload, null, 2)}
          </pre>
        </>
      )}
    </Frame>
  );
}
