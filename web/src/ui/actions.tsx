// actions.tsx - the actions on a dossier and the reason fields each one needs. Which actions
// are allowed is the server's decision: exactly the dossier's `allowed_actions` (what the
// engine lets this reader try now) are offered. An action that became stale meanwhile (another
// session acted first) gets 409 with the reason and the current state, which replaces the
// page's copy while the reason stays on screen.
import { useState } from 'preact/hooks';
import { api, ApiError, newIdemKey } from '../lib/api';
import { t, tName } from '../lib/i18n';
import { localInputToUnix, unixToLocalInput } from '../lib/format';
import { enc } from '../lib/router';
import type { AllowedAction, Dossier } from '../lib/types';
import { ErrorBox, Field, Notice } from './ui';

/** Inputs an action takes (the request spec DossierAction); "reason!" = reason required. */
export const ACTION_FIELDS: Record<string, string[]> = {
  accept: [],
  refuse: ['reason!', 'items'],
  request_supplement: ['items!', 'reason'],
  resubmit: [],
  assign: ['assignee_account_id'],
  forward: ['assignee_account_id'],
  return_to_step: ['to_step', 'reason!'],
  request_payment: ['reason'],
  payment_done: [],
  stop: ['reason!'],
  withdraw: ['reason!'],
  finish: [],
  deliver: ['delivery'],
  apologize: ['new_due', 'reason!'],
  rate: ['rating', 'comment'],
};

/** The actions the server allows this reader now; none when it sent no list. */
export function allowedFromServer(d: Dossier): AllowedAction[] {
  if (!Array.isArray(d.allowed_actions)) return [];
  return d.allowed_actions.map((a) => (typeof a === 'string' ? { action: a } : a));
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
  const fields = action.fields || ACTION_FIELDS[action.action] || [];
  const has = (f: string) => fields.includes(f) || fields.includes(f + '!');
  const req = (f: string) => fields.includes(f + '!');
  const [reason, setReason] = useState('');
  const [items, setItems] = useState<Item[]>([{ document: '', reason: '' }]);
  const [toStep, setToStep] = useState(Math.max(1, d.current_step - 1));
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
    if (has('assignee_account_id') && assignee) body.assignee_account_id = Number(assignee);
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
        <Field label={t('act.to_step')}>
          {(id) => <input id={id} type="number" min={1} max={30} value={toStep} onInput={(e) => setToStep(Number(e.currentTarget.value))} />}
        </Field>
      )}
      {has('assignee_account_id') && (
        <Field label={t('act.assignee')} hint={t('act.assignee_hint')}>
          {(id, by) => <input id={id} aria-describedby={by} inputMode="numeric" value={assignee} onInput={(e) => setAssignee(e.currentTarget.value)} />}
        </Field>
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
