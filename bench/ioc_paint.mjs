// ioc_paint.mjs - how fast the operations-centre page paints: opens #/ioc in Debian's Chromium
// (playwright-core of web/) against a running `tinhso serve` as a signed-in officer, RUNS times
// with a cold page each time (new browser context: nothing cached), and reports per run and as
// medians: first paint and first contentful paint (Paint Timing), largest contentful paint
// (LCP, PerformanceObserver), "figures shown" (the first figure tile is in the DOM, from
// navigation start) and "charts drawn" (ECharts' SVG of the trend is in the DOM).
// Usage: node bench/ioc_paint.mjs BASE_URL [USER] [PASSWORD] [RUNS] [WIDTHxHEIGHT]
//   e.g. node bench/ioc_paint.mjs http://127.0.0.1:8080 thanhtra 'Demo-pass-2026' 7 1920x1080
// Environment: TS_CHROMIUM (default /usr/bin/chromium). Results: bench/RESULTS.md.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../web/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const [base = 'http://127.0.0.1:8080', user = 'thanhtra', password = 'Demo-pass-2026', runsArg = '7', size = '1920x1080'] =
  process.argv.slice(2);
const runs = Number(runsArg);
const [width, height] = size.split('x').map(Number);

const browser = await chromium.launch({ executablePath: process.env.TS_CHROMIUM || '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
try {
  for (let i = 0; i < runs; i++) {
    const ctx = await browser.newContext({ viewport: { width, height }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
    // sign in through the API (the session cookie lands in this context), so that the
    // measured load is the IOC page itself
    const r = await ctx.request.post(base + '/api/v1/auth/login', { data: { login: user, password } });
    if (r.status() !== 200) throw new Error(`login ${user}: ${r.status()} ${await r.text()}`);
    const page = await ctx.newPage();
    await page.addInitScript(() => {
      window.__lcp = 0;
      new PerformanceObserver((l) => {
        for (const e of l.getEntries()) window.__lcp = e.startTime;
      }).observe({ type: 'largest-contentful-paint', buffered: true });
      const seen = { figures: 0, charts: 0 };
      window.__seen = seen;
      new MutationObserver(() => {
        if (!seen.figures && document.querySelector('[data-testid=ioc-received-today]')) seen.figures = performance.now();
        if (!seen.charts && document.querySelector('.chart svg')) seen.charts = performance.now();
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(base + '/#/ioc', { waitUntil: 'load' });
    await page.locator('.chart svg').first().waitFor({ timeout: 30000 });
    await page.waitForTimeout(0);
    const m = await page.evaluate(() => {
      const p = Object.fromEntries(performance.getEntriesByType('paint').map((e) => [e.name, e.startTime]));
      return { fp: p['first-paint'], fcp: p['first-contentful-paint'], lcp: window.__lcp, figures: window.__seen.figures, charts: window.__seen.charts };
    });
    rows.push(m);
    console.log(
      `run ${i + 1}: first paint ${m.fp.toFixed(0)} ms, FCP ${m.fcp.toFixed(0)} ms, LCP ${m.lcp.toFixed(0)} ms, figures ${m.figures.toFixed(0)} ms, charts ${m.charts.toFixed(0)} ms`,
    );
    await ctx.close();
  }
} finally {
  await browser.close();
}
const med = (k) => median(rows.map((r) => r[k])).toFixed(0);
console.log(`median of ${runs} at ${width}x${height}: first paint ${med('fp')} ms, FCP ${med('fcp')} ms, LCP ${med('lcp')} ms, figures ${med('figures')} ms, charts ${med('charts')} ms`);
