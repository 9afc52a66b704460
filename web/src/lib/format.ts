// format.ts - dates in the province's time (Asia/Ho_Chi_Minh, UTC+7, no DST), money in VND.
// Only presentation: due times and statuses are computed by the server.
import { getLang } from './i18n';

const TZ = 'Asia/Ho_Chi_Minh';

function locale(): string {
  return getLang() === 'en' ? 'en-GB' : 'vi-VN';
}

/** unix seconds -> "22/11/2026 14:05" (UTC+7); "" for null / 0. */
export function dateTime(unix: number | null | undefined): string {
  if (!unix) return '';
  return new Intl.DateTimeFormat(locale(), {
    timeZone: TZ, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false,
  }).format(new Date(unix * 1000));
}

export function dateOnly(unix: number | null | undefined): string {
  if (!unix) return '';
  return new Intl.DateTimeFormat(locale(), { timeZone: TZ, day: '2-digit', month: '2-digit', year: 'numeric' }).format(
    new Date(unix * 1000),
  );
}

export function money(amount: number | null | undefined, currency = 'VND'): string {
  if (amount === null || amount === undefined) return '';
  return new Intl.NumberFormat(locale(), { style: 'currency', currency, maximumFractionDigits: 0 }).format(amount);
}

/** "2026-11-22T14:05" read as UTC+7 wall time -> unix seconds; NaN if malformed. */
export function localInputToUnix(v: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(v);
  if (!m) return NaN;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4] - 7, +m[5]);
  return Math.floor(ms / 1000);
}

/** unix seconds -> "2026-11-22T14:05" in UTC+7, for <input type=datetime-local>. */
export function unixToLocalInput(unix: number): string {
  const d = new Date((unix + 7 * 3600) * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}

/** Days of a month as a 7-column grid starting on Monday (null = padding). */
export function monthGrid(year: number, month: number): (number | null)[] {
  const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay(); // 0 = Sunday
  const lead = (first + 6) % 7;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const cells: (number | null)[] = Array(lead).fill(null);
  for (let d = 1; d <= days; d++) cells.push(d);
  while (cells.length % 7) cells.push(null);
  return cells;
}

export function isoDate(year: number, month: number, day: number): string {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
