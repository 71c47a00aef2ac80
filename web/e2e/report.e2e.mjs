// End-to-end test of the HTML report in headless Chromium (issue #8): the
// report opens with the network disabled, makes no request beyond its own
// file, logs no console error, and every chart container holds a drawn
// canvas. Saves a screenshot of each report's first screen and whole page.
//
// usage: node e2e/report.e2e.mjs OUT_DIR NAME=REPORT.html [NAME=REPORT.html …]

import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

// The charts the demo's report must show: every section, churn prediction
// included (the demo trains and saves a churn model).
const EXPECTED = [
  'trend', 'revenue_lost', 'cohorts', 'lifecycle', 'lifecycle_flows', 'nps', 'segments', 'drivers', 'survival', 'forecast', 'clv',
  'model_comparison', 'roc', 'gains', 'importance',
];

const [outDir, ...reports] = process.argv.slice(2);
if (!outDir || reports.length === 0) {
  console.error('usage: node e2e/report.e2e.mjs OUT_DIR NAME=REPORT.html …');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
let failures = 0;
const fail = (name, message) => {
  failures += 1;
  console.error(`FAIL ${name}: ${message}`);
};
try {
  for (const spec of reports) {
    const [name, file] = spec.split('=');
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    await context.setOffline(true);
    const page = await context.newPage();
    const errors = [];
    const requests = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    const url = pathToFileURL(resolve(file)).href;
    // Anything but the report's own file is a network access: record it and refuse it.
    await page.route('**/*', (route) => {
      if (route.request().url() === url) return route.continue();
      requests.push(route.request().url());
      return route.abort();
    });
    await page.goto(url, { waitUntil: 'load' });
    const charts = await page.$$eval('[data-chart]', (boxes) =>
      boxes.map((box) => {
        const canvas = box.querySelector('canvas');
        if (!canvas) return { name: box.dataset.chart, painted: 0, width: 0 };
        const ctx = canvas.getContext('2d');
        const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted += 1;
        return { name: box.dataset.chart, painted, width: canvas.width, height: canvas.height };
      }),
    );
    const names = charts.map((c) => c.name);
    for (const expected of EXPECTED) if (!names.includes(expected)) fail(name, `chart ${expected} is missing`);
    for (const c of charts) {
      // A drawn chart paints thousands of pixels (axes, labels, series); an empty canvas paints none.
      if (c.width === 0 || c.painted < 2000) fail(name, `chart ${c.name} is empty (${c.painted} pixels painted on ${c.width}×${c.height})`);
      else console.log(`ok   ${name}: chart ${c.name} drawn (${c.painted} pixels painted)`);
    }
    const cards = await page.$$eval('.kpi .kpi-value', (v) => v.map((x) => x.textContent));
    if (cards.length !== 6 || cards.some((c) => !c || c === '–')) fail(name, `headline cards: ${JSON.stringify(cards)}`);
    const title = await page.textContent('h1');
    console.log(`ok   ${name}: title "${title}", cards ${JSON.stringify(cards)}`);
    if (errors.length > 0) fail(name, `console errors: ${errors.join(' | ')}`);
    if (requests.length > 0) fail(name, `network requests: ${requests.join(', ')}`);
    // The first screen (headline cards and the trend) for the README, and the whole page.
    for (const [file, fullPage] of [[`report-${name}.png`, false], [`report-${name}-full.png`, true]]) {
      await page.screenshot({ path: resolve(outDir, file), fullPage });
      console.log(`ok   ${name}: screenshot ${resolve(outDir, file)}`);
    }
    await context.close();
  }
} finally {
  await browser.close();
}
if (failures > 0) {
  console.error(`${failures} check(s) failed`);
  process.exit(1);
}
console.log('report e2e: all checks passed');
