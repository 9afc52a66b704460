// outbox.test.mjs - the integration admin page (#/admin/outbox) in a real browser against the
// real server (web/tests/e2e/harness.mjs) and the national-portal emulator
// (tests/emulator/dvcqg_emulator.py): the emulator refuses, so the message of a new dossier is
// dead-lettered; the page shows the dead letter (filtered by status and dossier code) and the
// health figures the server computed; after the emulator is back the admin retries it (with a
// confirmation) and the page shows it delivered. Replay needs its confirmation too (cancel
// sends nothing). Only outbox.manage sees the link. axe (WCAG 2.1 A/AA) at 1280 and 360 px.
// Every wait is a poll with a bounded deadline, never a fixed sleep.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiAs, axe, login, person, shot, startBrowser, startServer } from '../../web/tests/e2e/harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const TOKEN = 'token-for-web-tests-1';
let emu, srv, browser;

/** The emulator as its own process on a free loopback port; resolves {url, proc}. */
function startEmulator() {
  const proc = spawn('python3', [join(here, '..', 'emulator', 'dvcqg_emulator.py'), '0', TOKEN], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((ok, fail) => {
    let buf = '';
    proc.stdout.on('data', (c) => {
      buf += c;
      const m = /DVCQG emulator on (http:\/\/127\.0\.0\.1:\d+)/.exec(buf);
      if (m) ok({ url: m[1], proc });
    });
    proc.on('exit', (code) => fail(new Error('emulator exited ' + code + ': ' + buf)));
  });
}

async function control(body) {
  const r = await fetch(emu.url + '/_control', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(r.status, 200);
}

/** Polls f (async) until it returns something truthy; fails after `ms`. */
async function until(f, what, ms = 30000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 100)); // polling interval of a bounded wait
  }
}

before(async () => {
  emu = await startEmulator();
  srv = await startServer({
    demo: ['--dossiers', '0'], // a store whose outbox holds only what this test makes
    env: {
      TINHSO_DVCQG_URL: emu.url,
      TINHSO_DVCQG_TOKEN: TOKEN,
      TINHSO_DVCQG_TIMEOUT_MS: '3000',
      TINHSO_DVCQG_CONNECT_TIMEOUT_MS: '1000',
      TINHSO_OUTBOX_POLL_MS: '100',
      TINHSO_OUTBOX_BACKOFF_BASE_MS: '100',
      TINHSO_OUTBOX_BACKOFF_MAX: '1',
    },
  });
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
  if (emu) {
    emu.proc.kill('SIGTERM');
    await new Promise((r) => (emu.proc.exitCode !== null ? r() : emu.proc.once('exit', r)));
  }
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

const cell = (page, target, col) => page.getByTestId('health-' + target).locator(`td[data-col=${col}]`);
const text = async (loc) => (await loc.textContent()).trim();

let deadId, code;

test('a refused message is shown dead with the health figures, retried after the emulator is back, then shown delivered', async () => {
  const admin = await apiAs(srv.base, 'admin');
  await control({ mode: 'refuse' });
  code = (await submit()).code;
  const dead = await until(async () => (await admin('GET', '/api/v1/outbox?status=dead&key=' + encodeURIComponent(code))).items[0], 'the dead letter');
  deadId = dead.id;
  const h = await admin('GET', '/api/v1/outbox/health');
  assert.equal(h.dead, 1); // a fresh store: this message only
  assert.equal(h.targets.find((x) => x.name === 'dvcqg').failures, 1);

  const page = await person(browser, srv.base);
  await login(page, 'admin');
  await page.goto(srv.base + '/#/admin');
  await page.getByRole('link', { name: 'Liên thông' }).click();
  await page.waitForFunction(() => location.hash.startsWith('#/admin/outbox'));
  // the health on top: the server's figures
  await page.getByTestId('outbox-dead').filter({ hasText: /^1$/ }).waitFor();
  assert.equal(await text(page.getByTestId('outbox-pending')), String(h.pending));
  assert.equal(await text(cell(page, 'dvcqg', 'dead')), '1');
  assert.equal(await text(cell(page, 'dvcqg', 'failures')), '1');
  assert.equal(await text(cell(page, 'dvcqg', 'dead_lettered')), '1');
  assert.equal(await text(cell(page, 'dvcqg', 'delivered')), '0');

  // filtered by status and dossier code: exactly the dead letter
  await page.getByLabel('Trạng thái').selectOption({ label: 'Dừng gửi' });
  await page.waitForFunction(() => location.hash.includes('status=dead'));
  await page.getByLabel('Mã hồ sơ').fill(code);
  await page.getByRole('button', { name: 'Lọc' }).click();
  const rows = page.getByTestId('outbox-list').locator('tbody tr');
  await page.waitForFunction(() => location.hash.includes('key='));
  await rows.filter({ hasText: code }).first().waitFor();
  assert.equal(await rows.count(), 1);
  assert.match(await rows.first().textContent(), /dossier\.submit.*Dừng gửi/);
  await shot(page, 'outbox-list-1280');
  assert.deepEqual(await axe(page), [], 'outbox list at 1280');

  // one message: status, payload, last error
  await page.getByRole('link', { name: `Thông điệp số ${deadId}` }).click();
  const facts = page.getByTestId('outbox-message');
  await facts.waitFor();
  assert.match(await facts.textContent(), /Dừng gửi/);
  assert.match(await text(page.getByTestId('outbox-last-error')), /400/);
  assert.match(await page.locator('pre.ob-payload').textContent(), new RegExp(code.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  assert.equal(await page.getByRole('button', { name: 'Gửi lại lần nữa' }).count(), 0); // not delivered: no replay
  await shot(page, 'outbox-message-dead-1280');
  assert.deepEqual(await axe(page), [], 'outbox message at 1280');

  // the emulator is back; retry asks first, then the page shows the outcome
  await control({ mode: 'ok' });
  await page.getByRole('button', { name: 'Thử gửi lại' }).click();
  const confirm = page.getByRole('button', { name: 'Xác nhận: Thử gửi lại' });
  await confirm.waitFor();
  assert.deepEqual(await axe(page), [], 'confirmation');
  await confirm.click();
  await page.getByRole('status').filter({ hasText: `Đã đưa thông điệp số ${deadId} trở lại hàng đợi.` }).waitFor();
  // delivered: the page reads the waiting message again by itself (no reload here)
  await facts.filter({ hasText: 'Đã chuyển' }).waitFor({ timeout: 30000 });
  assert.equal(await text(page.getByTestId('outbox-last-error')), '—');
  const rec = await (await fetch(emu.url + '/_record')).json();
  assert.equal(rec.dossiers[code].length, 1, 'the national portal has the dossier once');
  assert.deepEqual(page.errors, []);

  // back on the list: no dead letter, one delivery, the failure still counted
  await page.getByRole('link', { name: 'Về danh sách thông điệp' }).click();
  await page.getByTestId('outbox-dead').filter({ hasText: /^0$/ }).waitFor();
  assert.equal(await text(cell(page, 'dvcqg', 'delivered')), '1');
  assert.equal(await text(cell(page, 'dvcqg', 'failures')), '1');
  assert.equal(await text(cell(page, 'dvcqg', 'pending')), '0');
});

test('replay asks first (cancel sends nothing) and shows the new message delivered', async () => {
  const admin = await apiAs(srv.base, 'admin');
  const count = async () => (await admin('GET', '/api/v1/outbox?key=' + encodeURIComponent(code))).items.length;
  const n0 = await count();
  const page = await person(browser, srv.base);
  await login(page, 'admin');
  await page.goto(`${srv.base}/#/admin/outbox/${deadId}`);
  await page.getByTestId('outbox-message').filter({ hasText: 'Đã chuyển' }).waitFor();
  await page.getByRole('button', { name: 'Gửi lại lần nữa' }).click();
  await page.getByRole('button', { name: 'Hủy' }).click();
  await page.getByRole('button', { name: 'Gửi lại lần nữa' }).waitFor();
  assert.equal(await count(), n0, 'cancel sent nothing');
  await page.getByRole('button', { name: 'Gửi lại lần nữa' }).click();
  await page.getByRole('button', { name: 'Xác nhận: Gửi lại lần nữa' }).click();
  const done = page.getByRole('status').filter({ hasText: /Đã tạo thông điệp mới số \d+/ });
  await done.waitFor();
  const newId = Number(/số (\d+)/.exec(await done.textContent())[1]);
  assert.ok(newId > deadId);
  assert.equal(await count(), n0 + 1);
  await page.getByRole('link', { name: 'Xem thông điệp mới' }).click();
  await page.waitForFunction((h) => location.hash === h, `#/admin/outbox/${newId}`);
  await page.getByRole('heading', { level: 1, name: `Thông điệp số ${newId}` }).waitFor();
  const facts = page.getByTestId('outbox-message');
  await facts.filter({ hasText: new RegExp(`Gửi lại của thông điệp\\s*${deadId}`) }).waitFor();
  await facts.filter({ hasText: 'Đã chuyển' }).waitFor({ timeout: 30000 });
  const rec = await (await fetch(emu.url + '/_record')).json();
  assert.ok(rec.received.some((r) => r.MaGiaoDich === `tinhso-${newId}`), 'the replay reached the national portal');
  assert.deepEqual(page.errors, []);
});

test('at 360 px the page fits and passes axe; only outbox.manage sees the link', async () => {
  const small = await person(browser, srv.base, 360);
  await login(small, 'admin');
  await small.goto(srv.base + '/#/admin/outbox');
  await small.getByTestId('health-dvcqg').waitFor();
  await small.getByTestId('outbox-list').waitFor();
  assert.ok(await small.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling of the page');
  await shot(small, 'outbox-360');
  assert.deepEqual(await axe(small), [], 'outbox at 360');
  await small.goto(`${srv.base}/#/admin/outbox/${deadId}`);
  await small.getByTestId('outbox-message').waitFor();
  assert.ok(await small.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling of the message');
  assert.deepEqual(await axe(small), [], 'message at 360');
  assert.deepEqual(small.errors, []);

  // a unit administrator (no outbox.manage): no link, and the page says so
  const other = await person(browser, srv.base);
  await login(other, 'quantri.tinh');
  await other.goto(srv.base + '/#/admin');
  await other.getByRole('navigation', { name: 'Quản trị' }).first().waitFor();
  assert.equal(await other.getByRole('link', { name: 'Liên thông' }).count(), 0);
  await other.goto(srv.base + '/#/admin/outbox');
  await other.getByText('Trang này dành cho quản trị.').waitFor();
  assert.equal(await other.getByTestId('outbox-health').count(), 0);
});
