// ioc.test.mjs - the operations centre and the public statistics page in a real browser against
// the real server (web/tests/e2e/harness.mjs): a dossier submitted and accepted through the API
// shows on the open IOC page within 2 s (Server-Sent Events, no reload); the public page renders
// without signing in; axe finds no WCAG 2.1 A/AA violation; screenshots at 1280 and 360 px.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ARTIFACTS, apiAs as apiAsAt, axe, login, person, shot, startBrowser, startServer } from '../../web/tests/e2e/harness.mjs';

let srv, browser;

before(async () => {
  srv = await startServer();
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

const apiAs = (user) => apiAsAt(srv.base, user);

const unitId = async (code) => (await srv.api('/api/v1/units?q=' + encodeURIComponent(code))).items.find((u) => u.code === code).id;
const received = async (page) => Number((await page.getByTestId('ioc-received-today').textContent()).replace(/\D/g, ''));

test('a transition made through the API shows on the open IOC page within 2 s', async () => {
  const page = await person(browser, srv.base);
  await login(page, 'thanhtra'); // inspector: stats.read over the province
  await page.goto(srv.base + '/#/ioc');
  await page.getByTestId('ioc-live').filter({ hasText: 'Trực tiếp' }).waitFor();
  await page.getByTestId('ioc-received-today').waitFor();
  await page.locator('.chart svg').first().waitFor(); // ECharts drew the trend
  const before = await received(page);
  const cursor0 = Number(await page.getByTestId('ioc').getAttribute('data-cursor'));

  const citizen = await apiAs('congdan1');
  const counter = await apiAs('motcua.xa1');
  const proc = await srv.api('/api/v1/procedures/DEMO.000003');
  const documents = proc.variants[0].documents.filter((d) => d.required).map((d) => ({ code: d.code, originals: 1 }));
  const d = await citizen('POST', '/api/v1/dossiers', {
    procedure_code: 'DEMO.000003',
    competent_unit_id: await unitId('000.01.12.H99'),
    receiving_unit_id: await unitId('000.00.31.H99'),
    delivery: 'electronic',
    documents,
  });
  // the submission: its code appears among the latest events, without a reload
  let t0 = Date.now();
  await page.getByTestId('ioc-events').filter({ hasText: d.code }).waitFor({ timeout: 2000 });
  assert.ok(Date.now() - t0 <= 2000, `submission shown after ${Date.now() - t0} ms`);
  assert.ok(Number(await page.getByTestId('ioc').getAttribute('data-cursor')) > cursor0);

  // the acceptance: "received today" goes up by one
  const now = await citizen('GET', '/api/v1/dossiers/' + encodeURIComponent(d.code));
  await counter('POST', `/api/v1/dossiers/${encodeURIComponent(d.code)}/actions/accept`, { version: now.version });
  t0 = Date.now();
  await page.waitForFunction(
    (want) => Number((document.querySelector('[data-testid=ioc-received-today]')?.textContent || '').replace(/\D/g, '')) === want,
    before + 1,
    { timeout: 2000 },
  );
  const took = Date.now() - t0;
  assert.ok(took <= 2000, `acceptance shown after ${took} ms`);
  assert.equal(await received(page), before + 1);
  assert.deepEqual(page.errors, []);
  await shot(page, 'ioc-1280');
  await page.screenshot({ path: join(ARTIFACTS, 'ioc-1280-screen.png') }); // what the wall shows
  assert.deepEqual(await axe(page), [], 'ioc at 1280');

  const small = await person(browser, srv.base, 360);
  await login(small, 'thanhtra');
  await small.goto(srv.base + '/#/ioc');
  await small.getByTestId('ioc-received-today').waitFor();
  await small.locator('.chart svg').first().waitFor();
  await shot(small, 'ioc-360');
  assert.deepEqual(await axe(small), [], 'ioc at 360');
  assert.deepEqual(small.errors, []);
});

test('the public statistics page renders without signing in', async () => {
  for (const width of [1280, 360]) {
    const page = await person(browser, srv.base, width);
    await page.goto(srv.base + '/#/statistics');
    const totals = page.getByTestId('public-totals');
    await totals.waitFor();
    assert.match(await totals.textContent(), /Hồ sơ tiếp nhận mới\s*[\d.]+/);
    // the same figures as the public API (the demo province has a history of dossiers)
    const pub = await srv.api('/api/v1/public/stats?period=' + encodeURIComponent(await page.locator('select').inputValue()));
    assert.ok(pub.totals.received > 0);
    assert.match(await totals.textContent(), new RegExp(pub.totals.received.toLocaleString('vi-VN').replace(/\./g, '\\.')));
    await page.getByRole('table').waitFor();
    await shot(page, `public-stats-${width}`);
    assert.deepEqual(await axe(page), [], `public statistics at ${width}`);
    assert.deepEqual(page.errors, []);
    // nobody signed in: no account menu, and the IOC link is not offered
    assert.equal(await page.getByRole('link', { name: 'Trung tâm điều hành' }).count(), 0);
  }
});
