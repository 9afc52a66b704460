// ui.test.ts - the rules the UI must NOT make itself: allowed actions come from the server
// when it sends them; the action inputs match the API's request spec; a procedure read from
// the API turns back into a valid import record (the edit path of the admin page).
import { describe, expect, it } from 'vitest';
import { actionTitle, allowedFromServer, inputsOf } from '../../src/ui/actions';
import { countText } from '../../src/work/work';
import { enumAt, flowBody, stepOfField, toImportRecord } from '../../src/admin/admin';
import { canPreview, formsFor, sizeText } from '../../src/ui/files';
import { messages } from '../../src/lib/messages';
import type { Dossier, Procedure } from '../../src/lib/types';

const dossier = (extra: Partial<Dossier>): Dossier => ({ code: 'X', status: 4, version: 3, ...extra }) as Dossier;

describe('actions', () => {
  it('offer exactly what the server allows, nothing when it sends no list', () => {
    expect(allowedFromServer(dossier({}))).toEqual([]);
    expect(allowedFromServer(dossier({ allowed_actions: ['forward', { action: 'finish', title: 'Hoàn thành', fields: [] }] }))).toEqual([
      { action: 'forward' },
      { action: 'finish', title: 'Hoàn thành', fields: [] },
    ]);
    expect(allowedFromServer(dossier({ allowed_actions: [] }))).toEqual([]);
  });
  it('render exactly the inputs the server lists for an action, and none it did not list', () => {
    const spec = new Set(['reason', 'items', 'to_step', 'assignee_account_id', 'new_due', 'delivery', 'rating', 'comment', 'hold']);
    const served = allowedFromServer(
      dossier({
        allowed_actions: [
          { action: 'forward', title: 'Chuyển bước tiếp theo', fields: [{ name: 'assignee_account_id', required: false, step: 3 }] },
          { action: 'request_supplement', title: 'Yêu cầu bổ sung', fields: [{ name: 'items', required: true }, { name: 'reason', required: false }] },
          { action: 'finish', title: 'Hoàn thành' },
        ],
      }),
    );
    expect(inputsOf(served[0])).toEqual([{ name: 'assignee_account_id', required: false, step: 3 }]);
    expect(inputsOf(served[1]).filter((f) => f.required).map((f) => f.name)).toEqual(['items']);
    expect(inputsOf(served[2])).toEqual([]); // no list from the server: no inputs invented
    for (const a of served) for (const f of inputsOf(a)) expect(spec.has(f.name), f.name).toBe(true);
    // every action the API knows has words in both languages
    for (const a of ['accept', 'refuse', 'request_supplement', 'resubmit', 'assign', 'forward', 'return_to_step', 'request_payment', 'payment_done', 'stop', 'withdraw', 'finish', 'deliver', 'apologize', 'rate']) {
      expect((messages.vi as Record<string, string>)['action.' + a], a).toBeTruthy();
      expect((messages.en as Record<string, string>)['action.' + a], a).toBeTruthy();
    }
    // an action the UI has no words for is still offered, under the server's title
    expect(actionTitle({ action: 'future_action', title: 'Thao tác mới' })).toBe('Thao tác mới');
    expect(actionTitle({ action: 'accept', title: 'x' })).toBe((messages.vi as Record<string, string>)['action.accept']);
  });
});

describe('queue counts', () => {
  it('show a capped count as "at least"', () => {
    expect(countText(undefined, 10000)).toBe('');
    expect(countText(0, 10000)).toBe('0');
    expect(countText(9999, 10000)).toBe('9999');
    expect(countText(10000, 10000)).toBe('10000+');
  });
});

describe('procedure edit', () => {
  it('reshapes GET /procedures/{code} into an import record', () => {
    const p = {
      code: 'DEMO.1', name: 'N', field: 'F', field_code: null, kind: null, levels: ['Cấp xã'], online_level: 'full', target_groups: [],
      next_day_after_cutoff: true, legal_basis: 'L', implementing_agency: null, competent_agency: null, results: [], fees: [], valid_from: '2025-07-01',
      variants: [{ id: 9, code: 'A', name: 'V', default: true, no_due_date: false, times: [], documents: [], form_fields: null }],
      units: [{ id: 81, code: '000.00.31.H99', name: 'Xã An Bình' }],
      version_id: 4,
    } as unknown as Procedure;
    const r = toImportRecord(p) as any;
    expect(r.units).toEqual(['000.00.31.H99']);
    expect(r.variants[0].id).toBeUndefined();
    expect(r.variants[0].code).toBe('A');
    expect(r.version_id).toBeUndefined();
    expect(r.name).toBe('N');
  });
});

describe('files', () => {
  it('preview only PDF, JPEG and PNG as the server detected them', () => {
    expect(['application/pdf', 'image/jpeg', 'image/png'].every(canPreview)).toBe(true);
    expect(canPreview('text/html')).toBe(false);
    expect(canPreview('image/svg+xml')).toBe(false);
    expect(canPreview(null)).toBe(false);
  });
  it('link each printed form once its event happened', () => {
    const ev = (action: string) => ({ action }) as any;
    expect(formsFor(dossier({ events: [ev('submit')] }))).toEqual([]);
    expect(formsFor(dossier({ events: [ev('submit'), ev('accept')] }))).toEqual(['receipt', 'control-slip']);
    expect(formsFor(dossier({ events: [ev('intake'), ev('request_supplement'), ev('apologize')] }))).toEqual(['receipt', 'supplement', 'apology', 'control-slip']);
  });
  it('write sizes plainly', () => {
    expect(sizeText(136)).toBe('136 B');
    expect(sizeText(2048)).toMatch(/^2 KB$/);
  });
});

describe('workflow editor', () => {
  it('reads enums of nested request specs and sends only the spec fields', () => {
    const schema = { properties: { steps: { type: 'array', items: { properties: { kind: { enum: ['receive', 'process'] } } } } } };
    expect(enumAt(schema, 'steps/kind')).toEqual(['receive', 'process']);
    expect(enumAt(schema, 'steps/none')).toEqual([]);
    const b = flowBody('', '', [
      { kind: 'receive', role: 'counter_officer', unit: 'receiving', unit_id: 5, hours: 4, kind_title: 'x' },
      { kind: 'process', role: 'specialist', unit: 'absolute', unit_id: 12, hours: 8 },
    ]) as any;
    expect(b.variant_code).toBeNull();
    expect(b.unit_id).toBeNull();
    expect(b.steps[0]).toEqual({ kind: 'receive', role: 'counter_officer', unit: 'receiving', hours: 4 });
    expect(b.steps[1].unit_id).toBe(12);
  });
  it('places the server error on the step it names (0-based)', () => {
    expect(stepOfField('steps/0')).toBe(0);
    expect(stepOfField('steps/3/unit_id')).toBe(3);
    expect(stepOfField('steps')).toBe(-1);
    expect(stepOfField(null)).toBe(-1);
  });
});
