// dossier.tsx - the parts of a dossier page shared by the citizen and the officer: the facts
// with due dates as the server computed them, the timeline, the last supplement request.
import { t, tName } from '../lib/i18n';
import type { MessageKey } from '../lib/messages';
import { dateTime } from '../lib/format';
import type { Dossier, DossierEvent } from '../lib/types';
import { api } from '../lib/api';
import { Status, useLoad } from './ui';

/** Unit names for the dossier's unit ids (the full dossier view carries ids only). */
function useUnitName(id: number | null | undefined, given?: string | null): string | null {
  const r = useLoad(() => (id && !given ? api<{ name: string }>('GET', '/api/v1/units/' + id).then((u) => u.name) : Promise.resolve(given || null)), [id, given]);
  return r.data ?? given ?? null;
}

/** A step kind in the chosen language (the workflow editor's words), else the server's title. */
function stepKind(kind: string, title: string): string {
  const key = ('flow.kind_' + kind) as MessageKey;
  const w = t(key);
  return w === key ? title : w;
}

export function DossierFacts(props: { d: Dossier; personal?: boolean }) {
  const d = props.d;
  const receiving = useUnitName(d.receiving_unit_id, d.receiving_unit);
  const competent = useUnitName(d.competent_unit_id, d.competent_unit);
  return (
    <dl class="facts">
      <dt>{t('dossier.code')}</dt>
      <dd>
        <strong>{d.code}</strong>
      </dd>
      <dt>{t('dossier.status')}</dt>
      <dd>
        <Status status={d.status} name={d.status_name} title={d.status_title} />
      </dd>
      <dt>{t('proc.title')}</dt>
      <dd>
        {d.procedure_name} ({d.procedure_code})
      </dd>
      {props.personal && d.applicant_name && (
        <>
          <dt>{t('dossier.applicant')}</dt>
          <dd>{d.applicant_name}</dd>
        </>
      )}
      {props.personal && d.applicant_phone && (
        <>
          <dt>{t('wiz.phone')}</dt>
          <dd>{d.applicant_phone}</dd>
        </>
      )}
      {props.personal && d.applicant_id_last4 && (
        <>
          <dt>{t('dossier.id_last4')}</dt>
          <dd>…{d.applicant_id_last4}</dd>
        </>
      )}
      {receiving && (
        <>
          <dt>{t('dossier.receiving_unit')}</dt>
          <dd>{receiving}</dd>
        </>
      )}
      {competent && (
        <>
          <dt>{t('wiz.competent')}</dt>
          <dd>{competent}</dd>
        </>
      )}
      <dt>{t('dossier.channel')}</dt>
      <dd>{tName('channel', String(d.channel))}</dd>
      <dt>{t('wiz.delivery')}</dt>
      <dd>{tName('delivery', d.delivery)}</dd>
      <dt>{t('dossier.submitted')}</dt>
      <dd>{dateTime(d.submitted_at) || '—'}</dd>
      <dt>{t('dossier.accepted')}</dt>
      <dd>{dateTime(d.accepted_at) || '—'}</dd>
      <dt>{t('dossier.due')}</dt>
      <dd>
        {dateTime(d.current_due_at) || '—'}
        {d.original_due_at && d.original_due_at !== d.current_due_at && (
          <span class="muted">
            {' '}
            ({t('dossier.original_due')}: {dateTime(d.original_due_at)})
          </span>
        )}
      </dd>
      {d.step && (
        <>
          <dt>{t('dossier.step_now')}</dt>
          <dd data-testid="dossier-step">
            {t('dossier.step_of', { n: d.step.ord, of: d.step.of })}: {stepKind(d.step.kind, d.step.kind_title)} — {tName('role', d.step.role, d.step.role_title)}
          </dd>
        </>
      )}
      {d.current_step > 0 && d.step_due_at && (
        <>
          <dt>{t('dossier.step_due', { n: d.current_step })}</dt>
          <dd>{dateTime(d.step_due_at)}</dd>
        </>
      )}
      {d.ended_at && (
        <>
          <dt>{t('dossier.ended')}</dt>
          <dd>
            {dateTime(d.ended_at)} {d.on_time === true ? `(${t('dossier.on_time')})` : d.on_time === false ? `(${t('dossier.late')})` : ''}
          </dd>
        </>
      )}
      {d.delivered_at && (
        <>
          <dt>{t('dossier.delivered')}</dt>
          <dd>{dateTime(d.delivered_at)}</dd>
        </>
      )}
      {d.supplement_count > 0 && (
        <>
          <dt>{t('dossier.supplements')}</dt>
          <dd>{d.supplement_count}</dd>
        </>
      )}
      {d.rating && (
        <>
          <dt>{t('act.rating')}</dt>
          <dd>
            {t(`rate.${d.rating}` as any)}
            {d.comment && <> — {d.comment}</>}
          </dd>
        </>
      )}
    </dl>
  );
}

export function resultLabel(r: string | null | undefined): string {
  return r ? t(`result.${r}` as any) : '';
}

export function Timeline(props: { events: DossierEvent[] }) {
  return (
    <ol class="timeline">
      {props.events.map((e, i) => (
        <li key={i}>
          <div class="when">{dateTime(e.at)}</div>
          <div class="what">
            <strong>{tName('action', e.action)}</strong>
            {e.to_status !== e.from_status && <span class="muted"> → {tName('status', String(e.to_status))}</span>}
            {e.step && <span class="muted"> · {t('dossier.step', { n: e.step })}</span>}
            {e.result && <span class={'result ' + e.result}> · {resultLabel(e.result)}</span>}
          </div>
          {e.actor && <div class="muted">{e.actor}</div>}
          {e.reason && <div>{e.reason}</div>}
          {e.items && e.items.length > 0 && (
            <ul>
              {e.items.map((it, j) => (
                <li key={j}>
                  {it.document && <strong>{it.document}: </strong>}
                  {it.field && <strong>{it.field}: </strong>}
                  {it.reason}
                </li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ol>
  );
}

/** The consolidated list of what to supplement (the last request_supplement event). */
export function SupplementRequest(props: { d: Dossier }) {
  const ev = [...(props.d.events || [])].reverse().find((e) => e.action === 'request_supplement');
  if (props.d.status !== 5 || !ev) return null;
  return (
    <section class="panel warn" aria-labelledby="sup-h">
      <h2 id="sup-h">{t('sup.title')}</h2>
      {ev.reason && <p>{ev.reason}</p>}
      <ul>
        {(ev.items || []).map((it, i) => (
          <li key={i}>
            {it.document && <strong>{(props.d.documents || []).find((x) => x.code === it.document)?.name || it.document}: </strong>}
            {it.reason}
          </li>
        ))}
      </ul>
      <p class="hint">{t('sup.hint')}</p>
    </section>
  );
}
