// draft.ts - autosaved drafts of an online submission. Every change is written to
// localStorage at once, so a reload, a closed tab or a lost connection loses nothing; the
// draft also keeps the Idempotency-Key of its submission, so a submit retried after a lost
// answer returns the first dossier instead of creating a second one.

export interface SubmissionDraft {
  procedure: string;
  variant: string;
  competent_unit_id: number | null;
  receiving_unit_id: number | null;
  delivery: string;
  applicant_phone: string;
  form_data: Record<string, string>;
  documents: Record<string, { originals: number; copies: number; included: boolean }>;
  step: number;
  idem: string;
  saved_at: number;
}

export interface KV {
  getItem(k: string): string | null;
  setItem(k: string, v: string): void;
  removeItem(k: string): void;
}

const PREFIX = 'tinhso.draft.';

function defaultKV(): KV | null {
  try {
    return typeof localStorage !== 'undefined' ? localStorage : null;
  } catch {
    return null;
  }
}

export function draftKey(account: number | string, procedure: string): string {
  return `${PREFIX}${account}.${procedure}`;
}

export function loadDraft(key: string, kv: KV | null = defaultKV()): SubmissionDraft | null {
  const s = kv?.getItem(key);
  if (!s) return null;
  try {
    const d = JSON.parse(s);
    return d && typeof d === 'object' && typeof d.procedure === 'string' ? (d as SubmissionDraft) : null;
  } catch {
    return null;
  }
}

/** Returns false when the browser refused to store (private mode, quota): the UI says so. */
export function saveDraft(key: string, d: SubmissionDraft, kv: KV | null = defaultKV(), now = Date.now()): boolean {
  if (!kv) return false;
  try {
    kv.setItem(key, JSON.stringify({ ...d, saved_at: now }));
    return true;
  } catch {
    return false;
  }
}

export function clearDraft(key: string, kv: KV | null = defaultKV()): void {
  kv?.removeItem(key);
}

/** Drafts of one account, newest first (for "continue where you left off"). */
export function listDrafts(account: number | string, kv: Storage | null = (defaultKV() as Storage | null)): SubmissionDraft[] {
  if (!kv) return [];
  const out: SubmissionDraft[] = [];
  for (let i = 0; i < kv.length; i++) {
    const k = kv.key(i);
    if (k && k.startsWith(`${PREFIX}${account}.`)) {
      const d = loadDraft(k, kv);
      if (d) out.push(d);
    }
  }
  return out.sort((a, b) => b.saved_at - a.saved_at);
}
