// ioc.test.ts - the pure parts of the operations-centre and public statistics pages: the
// Decree 09 periods offered (cut-off on the 14th, in UTC+7), rates and their colours, labels.
import { describe, expect, it } from 'vitest';
import { dayLabel, dateLabel, pct, periodsOf, rateClass } from '../../src/pages/ioc/text';
import { setLang } from '../../src/lib/i18n';

describe('IOC periods', () => {
  it('moves to the next report month on the 15th (local time)', () => {
    expect(periodsOf(new Date('2026-11-14T16:59:00Z')).month).toBe('month:2026-11'); // 23:59 on 14 Nov in Vietnam
    expect(periodsOf(new Date('2026-11-14T17:00:00Z')).month).toBe('month:2026-12'); // 00:00 on 15 Nov
    expect(periodsOf(new Date('2026-11-22T03:00:00Z'))).toEqual({ month: 'month:2026-12', quarter: 'quarter:2026-4', year: 'year:2026' });
  });
  it('starts the next year on 15 December', () => {
    expect(periodsOf(new Date('2026-12-15T01:00:00Z'))).toEqual({ month: 'month:2027-01', quarter: 'quarter:2027-1', year: 'year:2027' });
    expect(periodsOf(new Date('2026-12-14T01:00:00Z')).year).toBe('year:2026');
  });
});

describe('IOC figures', () => {
  it('colours on-time rates by the legend thresholds', () => {
    expect(rateClass(null)).toBe('r-none');
    expect(rateClass(0.95)).toBe('r-good');
    expect(rateClass(0.9499)).toBe('r-mid');
    expect(rateClass(0.8)).toBe('r-mid');
    expect(rateClass(0.79)).toBe('r-bad');
  });
  it('writes rates and days the Vietnamese way', () => {
    setLang('vi');
    expect(pct(0.9512, '–')).toBe('95,1 %');
    expect(pct(null, 'chưa có')).toBe('chưa có');
    expect(dayLabel(20260305)).toBe('05/03');
    expect(dateLabel(20261214)).toBe('14/12/2026');
  });
});
