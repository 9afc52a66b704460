// harness.mjs - starts the real tinhso server over a fresh SQLite demo store with the built
// UI (web/dist) and drives Debian's Chromium through playwright-core (no downloaded browser).
// Environment: TS_BIN (the binary), TS_WEB_DIST (default web/dist), TS_CHROMIUM
// (default /usr/bin/chromium), TS_ARTIFACTS (screenshots; default web/test-results).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const PASSWORD = 'Giaodien-2026-thu';
export const BIN = process.env.TS_BIN || resolve(here, '../../../build/tinhso');
export const DIST = process.env.TS_WEB_DIST || resolve(here, '../../dist');
export const CHROMIUM = process.env.TS_CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = process.env.TS_ARTIFACTS || resolve(here, '../../test-results');

/** opts.env: more environment for the server (TINHSO_* settings); opts.demo: more arguments
 * of `tinhso demo` (e.g. ['--dossiers', '0']). */
export async function startServer(opts = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tinhso-e2e-'));
  const db = 'sqlite:' + join(dir, 't.db');
  execFileSync(BIN, ['migrate', '--database', db], { stdio: 'ignore' });
  execFileSync(BIN, ['demo', '--database', db, '--password', PASSWORD, ...(opts.demo || [])], { stdio: 'ignore' });
  const proc = spawn(BIN, ['serve', '--database', db, '--listen', '127.0.0.1:0', '--web-root', DIST, '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    // one address signs in dozens of people here; the abuse limits are tested by
    // tests/api/test_security.py
    env: { ...process.env, TINHSO_RATELIMIT_ENABLED: 'false', ...(opts.env || {}) },
  });
  const base = await new Promise((ok, fail) => {
    let buf = '';
    proc.stdout.on('data', (c) => {
      buf += c;
      const m = /serving on (http:\/\/127\.0\.0\.1:\d+)\//.exec(buf);
      if (m) ok(m[1]);
    });
    proc.on('exit', (code) => fail(new Error('server exited ' + code + ': ' + buf)));
  });
  return {
    base,
    async api(path, init) {
      const r = await fetch(base + path, init);
      return r.json();
    },
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A signed-in API client (cookies + CSRF token), as another program would be: returns
 * (method, path, body?) => the JSON answer; fails the test on a status >= 300. */
export async function apiAs(base, user, password = PASSWORD) {
  const r = await fetch(base + '/api/v1/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login: user, password }),
  });
  if (r.status !== 200) throw new Error(`login ${user}: ${r.status}`);
  const cookie = r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const csrf = (await r.json()).csrf_token;
  return async (method, path, body) => {
    const res = await fetch(base + path, {
      method,
      headers: { Cookie: cookie, 'X-CSRF-Token': csrf, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
}

export async function startBrowser() {
  mkdirSync(ARTIFACTS, { recursive: true });
  // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}

/** A new browser context (one person) with page errors collected for the test to check. */
export async function person(browser, base, width = 1280) {
  const ctx = await browser.newContext({ viewport: { width, height: 900 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  const page = await ctx.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.base = base;
  return page;
}

export async function login(page, user, password = PASSWORD) {
  await page.goto(page.base + '/#/login');
  await page.getByLabel('Tên đăng nhập').fill(user);
  await page.getByLabel('Mật khẩu').fill(password);
  await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
  await page.waitForFunction(() => !location.hash.startsWith('#/login'));
}

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

/** WCAG 2.1 A and AA rules of axe-core on the current page; returns the violations. */
export async function axe(page) {
  // evaluated through the devtools protocol: the server's Content-Security-Policy forbids
  // inline scripts (addScriptTag), and the pages are tested under it as they are served
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(readFileSync(AXE, 'utf8'));
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
}

export async function shot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}
