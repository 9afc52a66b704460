// actions.tsx - the actions on a dossier and the reason fields each one needs. Which actions
// are allowed is the server's decision: exactly the dossier's `allowed_actions` (what the
// engine lets this reader try now) are offered, each with exactly the inputs the server lists
// for it (`fields`: name, required, the receiver's step, bounds); a receiver is picked from the
// officers the server names for that step. An action that became stale meanwhile (another
// session acted first) gets 409 with the reason and the current state, which replaces the
// page's copy while the reason stays on screen.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, newIdemKey } from '../lib/api';
import { t, tName } from '../lib/i18n';
import { localInputToUnix, unixToLocalInput } from '../lib/format';
import { enc } from '../lib/router';
import type { ActionInput, AllowedAction, Dossier, EligibleOfficers } from '../lib/types';
import { ErrorBox, Field, Notice } from './ui';

/** The actions the server allows this reader now; none when it sent no list. */
export function allowedFromServer(d: Dossier): AllowedAction[] {
  if (!Array.isArray(d.allowed_actions)) return [];
  return d.allowed_actions.map((a) => (typeof a === 'string' ? { action: a } : a));
}

/** The inputs of an action as the server listed them (none when it listed none). */
export function inputsOf(a: AllowedAction): ActionInput[] {
  return Array.isArray(a.fields) ? a.fields.filter((f) => f && typeof f.name === 'string') : [];
}

/** The officers who may receive the dossier at `step` (the server's list), for a select. */
function OfficerPicker(props: { code: string; step: number; required: boolean; value: string; onChange: (v: string) => void }) {
  const [list, setList] = useState<EligibleOfficers | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    setList(null);
    api<EligibleOfficers>('GET', `/api/v1/dossiers/${enc(props.code)}/eligible-officers?step=${props.step}`)
      .then((r) => live && setList(r))
      .catch((e) => live && setError(e));
    return () => {
      live = false;
    };
  }, [props.code, props.step]);
  return (
    <Field label={t('act.assignee')} hint={list?.role ? t('act.assignee_hint', { step: props.step, role: tName('role', list.role, list.role_title || list.role) }) : undefined} required={props.required}>
      {(id, by) => (
        <div>
          <select id={id} aria-describedby={by} required={props.required} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
            <option value="">{props.required ? t('act.assignee_choose') : t('act.assignee_pool')}</option>
            {(list?.officers || []).map((o) => (
              <option key={o.id} value={String(o.id)}>
                {o.full_name}
                {o.username ? ` (${o.username})` : ''}
                {o.unit_name ? ` — ${o.unit_name}` : ''}
              </option>
            ))}
          </select>
          {list && list.officers.length === 0 && <p class="hint">{t('act.assignee_none')}</p>}
          <ErrorBox error={error} />
        </div>
      )}
    </Field>
  );
}

/** The label of an action: ours in the chosen language, else the server's title. */
export function actionTitle(a: AllowedAction): string {
  return tName('action', a.action, a.title);
}

interface Item {
  document: string;
  reason: string;
}

function ActionForm(props: { d: Dossier; action: AllowedAction; onDone: (d: Dossier, ok: boolean) => void; onCancel?: () => void }) {
  const { d, action } = props;
  const fields = inputsOf(action);
  const field = (f: string) => fields.find((x) => x.name === f);
  const has = (f: string) => !!field(f);
  const req = (f: string) => !!field(f)?.required;
  const toStepIn = field('to_step');
  const [reason, setReason] = useState('');
  const [items, setItems] = useState<Item[]>([{ document: '', reason: '' }]);
  const [toStep, setToStep] = useState(toStepIn?.max ?? Math.max(1, d.current_step - 1));
  const [hold, setHold] = useState(false);
  const [assignee, setAssignee] = useState('');
  const [newDue, setNewDue] = useState(d.current_due_at ? unixToLocalInput(d.current_due_at + 86400) : '');
  const [delivery, setDelivery] = useState(d.delivery || 'counter');
  const [rating, setRating] = useState(5);
  const [comment, setComment] = useState('');
  const [idem] = useState(newIdemKey());
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const title = actionTitle(action);

  async function send(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body: Record<string, unknown> = { version: d.version };
    if (has('reason') && reason.trim()) body.reason = reason.trim();
    if (has('items')) {
      const list = items.filter((x) => x.reason.trim()).map((x) => ({ document: x.document || null, reason: x.reason.trim() }));
      if (list.length) body.items = list;
    }
    if (has('to_step')) body.to_step = toStep;
    if (has('hold') && hold) body.hold = true;
    if (has('assignee_account_id') && assignee && !hold) body.assignee_account_id = Number(assignee);
    if (has('new_due') && newDue) body.new_due = localInputToUnix(newDue);
    if (has('delivery')) body.delivery = delivery;
    if (has('rating')) body.rating = rating;
    if (has('comment') && comment.trim()) body.comment = comment.trim();
    try {
      const r = await api<Dossier>('POST', `/api/v1/dossiers/${enc(d.code)}/actions/${action.action}`, body, { idem });
      props.onDone(r, true);
    } catch (err) {
      setError(err);
      if (err instanceof ApiError && err.status === 409 && err.current) props.onDone(err.current as Dossier, false);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="action-form" onSubmit={send} aria-label={title}>
      <h3>{title}</h3>
      <ErrorBox error={error} />
      {has('items') && (
        <fieldset>
          <legend>{t('act.items')}</legend>
          <p class="hint">{t('act.items_hint')}</p>
          {items.map((it, i) => (
            <div class="item-row" key={i}>
              <Field label={t('act.item_doc', { n: i + 1 })}>
                {(id) => (
                  <select id={id} value={it.document} onChange={(e) => setItems(items.map((x, j) => (j === i ? { ...x, document: e.currentTarget.value } : x)))}>
                    <option value="">{t('act.item_other')}</option>
                    {(d.documents || []).map((doc) => (
                      <option key={doc.code} value={doc.code}>
                        {doc.name || doc.code}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label={t('act.item_reason', { n: i + 1 })} required={req('items') && i === 0}>
                {(id) => <input id={id} value={it.reason} required={req('items') && i === 0} onInput={(e) => setItems(items.map((x, j) => (j === i ? { ...x, reason: e.currentTarget.value } : x)))} />}
              </Field>
            </div>
          ))}
          <button type="button" onClick={() => setItems([...items, { document: '', reason: '' }])}>
            {t('act.add_item')}
          </button>
        </fieldset>
      )}
      {has('to_step') && (
        <Field label={t('act.to_step')} required={req('to_step')}>
          {(id) => <input id={id} type="number" min={toStepIn?.min ?? 1} max={toStepIn?.max ?? 30} required={req('to_step')} value={toStep} onInput={(e) => setToStep(Number(e.currentTarget.value))} />}
        </Field>
      )}
      {has('hold') && (
        <label class="check">
          <input type="checkbox" checked={hold} onChange={(e) => setHold(e.currentTarget.checked)} /> {t('act.hold')}
        </label>
      )}
      {has('assignee_account_id') && !hold && (field('assignee_account_id')!.step || toStepIn) && (
        <OfficerPicker code={d.code} step={field('assignee_account_id')!.step || toStep} required={req('assignee_account_id')} value={assignee} onChange={setAssignee} />
      )}
      {has('new_due') && (
        <Field label={t('act.new_due')} hint={t('act.new_due_hint')} required>
          {(id, by) => <input id={id} aria-describedby={by} type="datetime-local" required value={newDue} onInput={(e) => setNewDue(e.currentTarget.value)} />}
        </Field>
      )}
      {has('delivery') && (
        <Field label={t('wiz.delivery')}>
          {(id) => (
            <select id={id} value={delivery} onChange={(e) => setDelivery(e.currentTarget.value)}>
              {['counter', 'post', 'electronic'].map((x) => (
                <option key={x} value={x}>
                  {tName('delivery', x)}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      {has('rating') && (
        <fieldset class="radios rating">
          <legend>{t('act.rating')}</legend>
          {[1, 2, 3, 4, 5].map((n) => (
            <label key={n}>
              <input type="radio" name="rating" value={n} checked={rating === n} onChange={() => setRating(n)} /> {t(`rate.${n}` as any)}
            </label>
          ))}
        </fieldset>
      )}
      {has('comment') && (
        <Field label={t('act.comment')}>
          {(id) => <textarea id={id} value={comment} onInput={(e) => setComment(e.currentTarget.value)} />}
        </Field>
      )}
      {has('reason') && (
        <Field label={t('act.reason')} required={req('reason')}>
          {(id) => <textarea id={id} required={req('reason')} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />}
        </Field>
      )}
      <div class="actions">
        {props.onCancel && (
          <button type="button" onClick={props.onCancel}>
            {t('common.cancel')}
          </button>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {t('act.confirm', { action: title })}
        </button>
      </div>
    </form>
  );
}

export function ActionPanel(props: { d: Dossier; onDone: (d: Dossier) => void }) {
  const list = allowedFromServer(props.d);
  const [chosen, setChosen] = useState<string>('');
  const [done, setDone] = useState<string | null>(null);
  // the form stays open after a refusal even when the fresh state no longer offers the action,
  // so the server's reason is read where it was asked
  const [open, setOpen] = useState<AllowedAction | null>(null);
  const current = list.find((a) => a.action === chosen) || (open && open.action === chosen ? open : undefined);
  return (
    <section class="panel" aria-labelledby="actions-h">
      <h2 id="actions-h">{t('act.title')}</h2>
      {done && <Notice kind="ok">{t('act.done', { action: tName('action', done) })}</Notice>}
      {list.length === 0 ? (
        <p>{t('act.none')}</p>
      ) : (
        <div class="action-buttons" role="group" aria-label={t('act.title')}>
          {list.map((a) => (
            <button
              type="button"
              key={a.action}
              data-action={a.action}
              aria-pressed={chosen === a.action}
              onClick={() => {
                setChosen(a.action);
                setOpen(a);
                setDone(null);
              }}
            >
              {actionTitle(a)}
            </button>
          ))}
        </div>
      )}
      {current && (
        <ActionForm
          key={current.action}
          d={props.d}
          action={current}
          onCancel={() => setChosen('')}
          onDone={(nd, ok) => {
            if (ok) {
              setDone(current.action);
              setChosen('');
            }
            props.onDone(nd);
          }}
        />
      )}
    </section>
  );
}
