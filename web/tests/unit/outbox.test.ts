// outbox.test.ts - the pure parts of the integration admin page: waiting times in words, seconds
// the Vietnamese way, target names, and both languages having the same words.
import { describe, expect, it } from 'vitest';
import { age, secs, targetName, tx } from '../../src/admin/outbox-text';
import { setLang } from '../../src/lib/i18n';

describe('outbox page words', () => {
  it('writes waiting times in words at each scale', () => {
    setLang('vi');
    expect(age(0)).toBe('0 giây');
    expect(age(59.9)).toBe('59 giây');
    expect(age(60)).toBe('1 phút 0 giây');
    expect(age(3599)).toBe('59 phút 59 giây');
    expect(age(3600 * 2 + 600)).toBe('2 giờ 10 phút');
    expect(age(86400 + 4 * 3600 + 5)).toBe('1 ngày 4 giờ');
    expect(age(-5)).toBe('0 giây');
    setLang('en');
    expect(age(125)).toBe('2 min 5 s');
    setLang('vi');
  });
  it('writes seconds with a decimal comma, and a dash for none', () => {
    setLang('vi');
    expect(secs(1.256)).toBe('1,26 giây');
    expect(secs(null)).toBe('—');
    setLang('en');
    expect(secs(1.256)).toBe('1.26 s');
    setLang('vi');
  });
  it('names the known targets and leaves others as the server named them', () => {
    setLang('vi');
    expect(targetName('dvcqg')).toBe('Cổng DVC Quốc gia');
    expect(targetName('notify')).toBe('Thông báo công dân');
    expect(targetName('other')).toBe('other');
    expect(tx('ob.message', { id: 7 })).toBe('Thông điệp số 7');
  });
});
