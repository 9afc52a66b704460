// extras.test.mjs - two officer screens in a real browser against the real server
// (web/tests/e2e/harness.mjs): the work queue's XLSX export (the queue as filtered on screen,
// made by GET /api/v1/dossiers/export.xlsx) and the two-factor (TOTP) enrolment of a signed-in
// officer, with the login that follows asking for the code. axe (WCAG 2.1 A/AA) on both.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PASSWORD, apiAs, axe, login, person, shot, startBrowser, startServer } from '../../web/tests/e2e/harness.mjs';

let srv, browser, tmp;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'tinhso-extras-'));
  // clerks must use a second factor here: the clerk's login lands on the enrolment screen
  srv = await startServer({ demo: ['--dossiers', '0'], env: { TINHSO_IAM_TOTP_REQUIRED_ROLES: 'clerk' } });
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function submit() {
  const citizen = await apiAs(srv.base, 'congdan1');
  const unitId = async (code) => (await srv.api('/api/v1/units?q=' + encodeURIComponent(code))).items.find((u) => u.code === code).id;
  const proc = await srv.api('/api/v1/procedures/DEMO.000003');
  const documents = proc.variants[0].documents.filter((d) => d.required).map((d) => ({ code: d.code, originals: 1 }));
  return citizen('POST', '/api/v1/dossiers', {
    procedure_code: 'DEMO.000003',
    competent_unit_id: await unitId('000.01.12.H99'),
    receiving_unit_id: await unitId('000.00.31.H99'),
    delivery: 'electronic',
    documents,
  });
}

/** The text of every XML part of an XLSX file (Python's zipfile reads it). */
function xlsxText(path) {
  return execFileSync('python3', ['-c', "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nprint(''.join(z.read(n).decode() for n in z.namelist() if n.startswith('xl/')))", path], { encoding: 'utf8' });
}

test('the work queue downloads as XLSX with the filter shown on screen', async () => {
  const a = (await submit()).code;
  const b = (await submit()).code;
  const page = await person(browser, srv.base);
  await login(page, 'motcua.xa1');
  await page.goto(srv.base + '/#/work?tab=new');
  const rows = page.locator('table.queue tbody tr');
  await rows.filter({ hasText: b }).waitFor();

  // the whole queue: both dossiers
  let [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Tải hàng đợi này (Excel)' }).click()]);
  assert.match(dl.suggestedFilename(), /\.xlsx$/);
  let file = join(tmp, 'all.xlsx');
  await dl.saveAs(file);
  assert.equal(readFileSync(file).subarray(0, 2).toString(), 'PK');
  let text = xlsxText(file);
  assert.ok(text.includes(a) && text.includes(b), 'both dossiers of the queue');

  // filtered to one dossier on screen: the export has that one only
  await page.getByLabel('Mã hồ sơ hoặc tên người nộp').fill(a);
  await page.getByRole('button', { name: 'Tìm', exact: true }).click();
  await page.waitForFunction(() => location.hash.includes('q='));
  await page.waitForFunction((b) => !document.querySelector('table.queue')?.textContent?.includes(b), b);
  const link = page.getByRole('link', { name: 'Tải hàng đợi này (Excel)' });
  assert.match(await link.getAttribute('href'), /q=/);
  [dl] = await Promise.all([page.waitForEvent('download'), link.click()]);
  file = join(tmp, 'one.xlsx');
  await dl.saveAs(file);
  text = xlsxText(file);
  assert.ok(text.includes(a), 'the filtered dossier');
  assert.ok(!text.includes(b), 'not the one filtered out');
  assert.deepEqual(await axe(page), [], 'queue with the export link');
  assert.deepEqual(page.errors, []);
});

/** RFC 6238 code (SHA-1, 6 digits, 30 s) of a base32 secret at unix time t: what the phone shows. */
function totp(secret, t) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret.replace(/=+$/, '')) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from((bits.match(/.{8}/g) || []).map((x) => parseInt(x, 2)));
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(t / 30)));
  const h = createHmac('sha1', key).update(msg).digest();
  const o = h[h.length - 1] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}

test('an officer whose role needs a second factor enrols on the security screen, then signs in with the code', async () => {
  const page = await person(browser, srv.base);
  await login(page, 'vanthu.tp'); // a clerk: enrolment required
  await page.waitForFunction(() => location.hash === '#/account/security');
  await page.getByText('Vai trò của bạn bắt buộc dùng xác thực hai lớp').waitFor();
  // a wrong code first: the server's refusal is shown, nothing turned on
  await page.getByRole('button', { name: 'Tạo mã bí mật' }).click();
  const secretEl = page.getByTestId('totp-secret');
  await secretEl.waitFor();
  await page.locator('svg.qr').waitFor(); // the QR code of the otpauth URI
  assert.deepEqual(await axe(page), [], 'enrolment screen');
  const secret = await secretEl.getAttribute('data-secret');
  assert.match(secret, /^[A-Z2-7]+=*$/);
  const now = Date.now() / 1000;
  const wrong = String((Number(totp(secret, now)) + 1) % 1000000).padStart(6, '0');
  await page.getByLabel('Mã xác thực').fill(wrong);
  await page.getByRole('button', { name: 'Bật xác thực hai lớp' }).click();
  await page.getByRole('alert').waitFor();
  assert.equal(await page.getByText('Đã bật xác thực hai lớp').count(), 0);
  // the right code turns it on
  await page.getByLabel('Mã xác thực').fill(totp(secret, Date.now() / 1000));
  await page.getByRole('button', { name: 'Bật xác thực hai lớp' }).click();
  await page.getByText('Đã bật xác thực hai lớp.').waitFor();
  await shot(page, 'security-enrolled-1280');
  assert.deepEqual(await axe(page), [], 'enrolled');
  // the session now has the clerk's permissions: the work queue opens
  await page.getByRole('link', { name: 'Tiếp tục làm việc' }).click();
  await page.waitForFunction(() => location.hash.startsWith('#/work'));
  assert.deepEqual(page.errors, []);

  // a new sign-in asks for the code (the next 30-s step: a code is accepted once)
  const r = await fetch(srv.base + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ login: 'vanthu.tp', password: PASSWORD }) });
  assert.equal(r.status, 401);
  assert.equal((await r.json()).code, 'totp_required');
  const again = await person(browser, srv.base, 360);
  await again.goto(srv.base + '/#/login');
  await again.getByLabel('Tên đăng nhập').fill('vanthu.tp');
  await again.getByLabel('Mật khẩu').fill(PASSWORD);
  await again.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
  await again.getByLabel('Mã xác thực').fill(totp(secret, Date.now() / 1000 + 30));
  await again.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
  await again.waitForFunction(() => location.hash.startsWith('#/work'));
  // enrolled already: the screen says so with the server's reason, no new secret
  await again.goto(srv.base + '/#/account/security');
  await again.getByRole('button', { name: 'Tạo mã bí mật' }).click();
  await again.getByRole('alert').filter({ hasText: 'đã bật xác thực hai lớp' }).waitFor();
  assert.equal(await again.getByTestId('totp-secret').count(), 0);
  await shot(again, 'security-360');
  assert.deepEqual(await axe(again), [], 'security at 360');
  assert.deepEqual(again.errors, []);
});
