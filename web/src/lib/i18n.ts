// i18n.ts - Vietnamese first, English on request. The choice is kept in localStorage and
// mirrored in <html lang>. Words the server sends (problem titles and details, status
// titles) stay as sent: they are Vietnamese by design of the API.
import { messages, type MessageKey } from './messages';

export type Lang = 'vi' | 'en';

let lang: Lang = 'vi';
const listeners = new Set<() => void>();

function storage(): Storage | null {
  try {
    return typeof localStorage !== 'undefined' ? localStorage : null;
  } catch {
    return null;
  }
}

export function initLang(): Lang {
  const s = storage()?.getItem('tinhso.lang');
  lang = s === 'en' ? 'en' : 'vi';
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
  return lang;
}

export function getLang(): Lang {
  return lang;
}

export function setLang(l: Lang): void {
  lang = l;
  storage()?.setItem('tinhso.lang', l);
  if (typeof document !== 'undefined') document.documentElement.lang = l;
  listeners.forEach((f) => f());
}

export function onLang(f: () => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

/** The message for key in the current language, {name} placeholders filled from vars. */
export function t(key: MessageKey, vars?: Record<string, string | number>): string {
  const m = messages[lang][key] ?? messages.vi[key] ?? key;
  return vars ? m.replace(/\{(\w+)\}/g, (_, k) => (k in vars ? String(vars[k]) : `{${k}}`)) : m;
}

/** Label of a dossier action, status or role by its machine name, or the fallback given. */
export function tName(kind: 'action' | 'status' | 'role' | 'delivery' | 'channel' | 'daykind' | 'online', name: string, fallback?: string | null): string {
  const key = `${kind}.${name}` as MessageKey;
  return (messages[lang] as Record<string, string>)[key] ?? (messages.vi as Record<string, string>)[key] ?? fallback ?? name;
}
