// budget.mjs - the first view must load at most 200 KB of compressed JavaScript. Reads the
// Vite manifest of web/dist, takes the entry chunk and every chunk it imports statically
// (what index.html loads before anything is shown; lazy chunks of the officer and admin faces
// are not part of it), gzips each at level 9 and fails when the sum is over the budget.
// Also checks that index.html references no other script. Usage: node scripts/budget.mjs [dist]
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = 200 * 1024;
const dist = resolve(process.argv[2] || new URL('../dist', import.meta.url).pathname);
const manifest = JSON.parse(readFileSync(join(dist, '.vite/manifest.json'), 'utf8'));
const entries = Object.entries(manifest).filter(([, c]) => c.isEntry);
if (entries.length !== 1) {
  console.error(`expected one entry chunk, found ${entries.length}`);
  process.exit(1);
}
const files = new Set();
const visit = (key) => {
  const c = manifest[key];
  if (!c || files.has(c.file)) return;
  files.add(c.file);
  (c.imports || []).forEach(visit);
};
visit(entries[0][0]);

const html = readFileSync(join(dist, 'index.html'), 'utf8');
const scripts = [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="\/?([^"]+\.js)"/g)].map((m) => m[1]);
const stray = scripts.filter((s) => !files.has(s));
let total = 0;
for (const f of files) {
  const gz = gzipSync(readFileSync(join(dist, f)), { level: 9 }).length;
  total += gz;
  console.log(`${(gz / 1024).toFixed(1).padStart(7)} KB  ${f}`);
}
console.log(`${(total / 1024).toFixed(1).padStart(7)} KB  first view (budget ${BUDGET / 1024} KB)`);
if (stray.length) {
  console.error(`index.html loads scripts outside the entry graph: ${stray.join(', ')}`);
  process.exit(1);
}
if (total > BUDGET) {
  console.error(`over budget by ${((total - BUDGET) / 1024).toFixed(1)} KB`);
  process.exit(1);
}
console.log('1 passed, 0 failed');
