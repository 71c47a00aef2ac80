// End-to-end test of the dashboard in headless Chromium (issue #8). Builds a
// demo workspace with the churnlens binary, creates an admin, an analyst and a
// viewer, starts `churnlens serve` on a free loopback port and drives the app
// through the browser, which may reach that origin only:
//   - login (a wrong password shows the API's message), every chart drawn, no console errors;
//   - a filter: the cards and tables show exactly what /api/report returns for it, and they changed;
//   - drill-down: segment → its customers (paged, searchable) → one customer's timeline;
//   - CSV export (download, UTF-8 BOM, parsed and compared with the table on screen);
//   - admin page: add and remove a user (CSRF-protected writes), the audit log shows the export;
//     the removed user's open session goes back to the login page on its next request (401);
//   - a viewer sees masked name/phone/e-mail in the table, the timeline and the export, gets 403
//     from the admin API and no admin page; an analyst sees the same PII as the admin;
//   - every route of /api/openapi.json answers 401 without the session cookie;
//   - zh and en screenshots; finally the login rate limit (429 with the wait time).
//
// usage: node e2e/dashboard.e2e.mjs OUT_DIR CHURNLENS_BINARY

import { chromium } from 'playwright-core';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const [outDir, bin] = process.argv.slice(2);
if (!outDir || !bin) {
  console.error('usage: node e2e/dashboard.e2e.mjs OUT_DIR CHURNLENS_BINARY');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

// The debug binary computes a report for a filter in seconds; this bounds a hung server, not a slow one.
const SLOW = 180_000;

let failures = 0;
const fail = (where, message) => {
  failures += 1;
  console.error(`FAIL ${where}: ${message}`);
};
const ok = (where, message) => console.log(`ok   ${where}: ${message}`);
const check = (condition, where, message) => (condition ? ok(where, message) : fail(where, message));

// ---- the server under test ----

const work = mkdtempSync(join(tmpdir(), 'churnlens-dashboard-e2e-'));
const ws = join(work, 'ws');
const run = (args, input) => {
  const result = spawnSync(bin, args, { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(`churnlens ${args.join(' ')} exited with ${result.status}: ${result.stderr}`);
  return result.stdout;
};
run(['demo', '-w', ws, '--customers', '2000', '--lang', 'en']);
const accounts = {};
for (const role of ['admin', 'analyst', 'viewer']) {
  accounts[role] = { name: `e2e-${role}`, password: `${role}-${randomBytes(8).toString('hex')}` };
  run(['user', '-w', ws, 'add', accounts[role].name, '--role', role, '--password-stdin'], `${accounts[role].password}\n`);
}
ok('setup', `demo workspace and three accounts in ${ws}`);

const freePort = () =>
  new Promise((done, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
const server = spawn(bin, ['serve', '-w', ws, '--addr', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
let serverLog = '';
server.stdout.on('data', (d) => { serverLog += d; });
server.stderr.on('data', (d) => { serverLog += d; });
const started = Date.now();
for (;;) {
  if (server.exitCode !== null) throw new Error(`churnlens serve exited with ${server.exitCode}:\n${serverLog}`);
  try {
    if ((await fetch(`${origin}/`)).ok) break;
  } catch {
    // Not listening yet.
  }
  if (Date.now() - started > 60_000) throw new Error(`churnlens serve did not answer on ${origin} within 60 s:\n${serverLog}`);
  await new Promise((r) => setTimeout(r, 250));
}
ok('setup', `churnlens serve answers on ${origin}`);

// ---- helpers ----

/** A CSV file as rows of cells (RFC 4180 quoting), after checking its UTF-8 BOM. */
function parseCsv(bytes, where) {
  check(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf, where, 'the CSV starts with a UTF-8 BOM');
  const text = bytes.subarray(3).toString('utf8');
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i += 1; } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) { row.push(cell); rows.push(row); }
  const [header, ...body] = rows;
  return { header, rows: body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]]))) };
}

async function download(page, selector, where) {
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: SLOW }), page.click(selector)]);
  const path = await file.path();
  const bytes = readFileSync(path);
  ok(where, `downloaded ${file.suggestedFilename()} (${bytes.length} bytes)`);
  return parseCsv(bytes, where);
}

/** JSON from the API with the page's session, as the app would get it. */
const apiFromPage = (page, path) =>
  page.evaluate(async (p) => {
    const response = await fetch(p, { credentials: 'same-origin' });
    return { status: response.status, body: response.headers.get('content-type')?.includes('json') ? await response.json() : null };
  }, path);

async function newPage(browser, where) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1, locale: 'en-US', acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  const foreign = [];
  page.on('console', (m) => {
    // The browser logs every 401/403 answer as a console error; those are expected where the test provokes them
    // (the first /api/me before login, wrong passwords, the rate limit, the viewer's admin requests) and checked there.
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of (401|403|429)/.test(m.text())) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => d.accept());
  await context.route('**/*', (route) => {
    if (route.request().url().startsWith(`${origin}/`)) return route.continue();
    foreign.push(route.request().url());
    return route.abort();
  });
  const finish = async () => {
    if (errors.length > 0) fail(where, `console errors: ${errors.join(' | ')}`);
    else ok(where, 'no console errors');
    if (foreign.length > 0) fail(where, `requests beyond ${origin}: ${foreign.join(', ')}`);
    else ok(where, `no request left ${origin}`);
    await context.close();
  };
  return { page, finish };
}

async function login(page, account, lang = 'en') {
  await page.goto(`${origin}/?lang=${lang}`);
  await page.waitForSelector('#login input[name=username]');
  await page.fill('#login input[name=username]', account.name);
  await page.fill('#login input[name=password]', account.password);
  await page.click('#login button[type=submit]');
  await page.waitForSelector('#view[data-state=ready]', { timeout: SLOW });
}

const waitReady = (page) => page.waitForSelector('#view[data-state=ready]', { timeout: SLOW });

/** Every `[data-chart]` box: its name and how many pixels its canvas painted. */
const paintedCharts = (page) =>
  page.$$eval('[data-chart]', (boxes) =>
    boxes.map((box) => {
      const canvas = box.querySelector('canvas');
      if (!canvas || canvas.width === 0) return { name: box.dataset.chart, painted: 0 };
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted += 1;
      return { name: box.dataset.chart, painted };
    }),
  );

/** The charts a report must draw: one per section with data (as web/src/charts.ts draws them). */
function expectedCharts(report) {
  const names = [];
  if (report.trend) names.push('trend');
  if (report.revenue_lost) names.push('revenue_lost');
  if (report.cohorts) names.push('cohorts');
  if (report.lifecycle) names.push('lifecycle', ...(report.lifecycle.flows.length > 0 ? ['lifecycle_flows'] : []));
  if (report.nps) names.push('nps');
  if (report.segments) names.push('segments');
  if (report.drivers) names.push('drivers');
  if (report.survival) names.push('survival');
  if (report.forecast) names.push('forecast');
  if (report.clv) names.push('clv');
  if (report.churn_model) {
    names.push('model_comparison', 'roc');
    if (report.churn_model.gains.length > 0) names.push('gains');
    if (report.churn_model.importance.length > 0) names.push('importance');
  }
  return names;
}

async function checkCharts(page, report, where) {
  const drawn = await paintedCharts(page);
  const expected = expectedCharts(report);
  // The demo has every section but churn prediction; fewer would mean the API lost a section.
  check(expected.length >= 11, where, `the report has ${expected.length} charts' worth of sections`);
  for (const name of expected) {
    const chart = drawn.find((c) => c.name === name);
    // A drawn chart paints thousands of pixels (axes, labels, series); an empty canvas paints none.
    if (!chart) fail(where, `chart ${name} is missing`);
    else check(chart.painted > 2000, where, `chart ${name} drawn (${chart.painted} pixels painted)`);
  }
}

/** What the page shows in the headline cards, and what it should show for `report` (same rules as charts.ts's cards). */
async function compareCards(page, report, where) {
  const result = await page.evaluate((kpis) => {
    const format = (v, digits) => (v === null || !isFinite(v) ? '–' : v.toLocaleString(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits }));
    return kpis.map((k) => {
      const digits = ['active_customers', 'revenue_lost', 'average_clv'].includes(k.key) ? 0 : 1;
      const percent = ['churn_rate', 'retention_rate'].includes(k.key) && k.value !== null ? '%' : '';
      const shown = document.querySelector(`#view .kpi[data-kpi="${k.key}"] .kpi-value`)?.textContent ?? null;
      return { key: k.key, expected: format(k.value, digits) + percent, shown };
    });
  }, report.kpis);
  check(result.length === 6, where, `${result.length} headline cards in the API's report`);
  for (const r of result) check(r.shown === r.expected, where, `card ${r.key} shows ${JSON.stringify(r.shown)}, the API's value is ${JSON.stringify(r.expected)}`);
  return result.map((r) => r.shown);
}

/** The segments table on screen against the report's segments. */
async function compareSegments(page, report, where) {
  const result = await page.evaluate((segments) => {
    const format = (v, digits) => (v === null ? '' : v.toLocaleString(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits }));
    const rows = Array.from(document.querySelectorAll('#view table[data-table=segments] tbody tr'));
    const cell = (row, col) => row.querySelector(`td[data-col=${col}]`)?.textContent ?? null;
    return segments.map((s, i) => ({
      name: s.name,
      expected: [s.name, format(s.customers, 0), format(s.churn_rate, 1)],
      shown: rows[i] ? [cell(rows[i], 'name'), cell(rows[i], 'customers'), cell(rows[i], 'churn_rate')] : null,
    }));
  }, report.segments.segments);
  for (const r of result) check(JSON.stringify(r.shown) === JSON.stringify(r.expected), where, `segment row ${JSON.stringify(r.shown)} = API ${JSON.stringify(r.expected)}`);
}

const tableRows = (page, name) =>
  page.$$eval(`#view table[data-table="${name}"] tbody tr`, (rows) =>
    rows.map((row) => Object.fromEntries(Array.from(row.querySelectorAll('td')).map((td) => [td.dataset.col, td.textContent]))),
  );

const PII = ['name', 'phone', 'email'];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  // ---- admin: the whole app ----
  let where = 'admin';
  const admin = await newPage(browser, where);
  let page = admin.page;
  await page.goto(`${origin}/?lang=en`);
  await page.waitForSelector('#login input[name=username]');
  await page.fill('#login input[name=username]', accounts.admin.name);
  await page.fill('#login input[name=password]', 'not-the-password');
  const [refused] = await Promise.all([page.waitForResponse((r) => r.url().includes('/api/login')), page.click('#login button[type=submit]')]);
  const refusedBody = await refused.json();
  await page.waitForFunction((text) => document.querySelector('#login .error')?.textContent === text, refusedBody.error);
  check(refused.status() === 401, where, `a wrong password gets ${refused.status()} and the form shows the API's message "${refusedBody.error}"`);

  await login(page, accounts.admin);
  await page.waitForSelector('[data-chart=trend] canvas', { timeout: SLOW });
  const who = await page.textContent('.topbar .who');
  check(who.includes(accounts.admin.name) && who.includes('admin'), where, `header shows "${who}"`);
  const all = (await apiFromPage(page, '/api/report?lang=en')).body;
  await checkCharts(page, all, where);
  // A tooltip, which must draw under the server's Content-Security-Policy without a console error.
  await page.$eval('[data-chart=trend]', (box) => box.scrollIntoView({ block: 'center' }));
  const trendBox = await (await page.$('[data-chart=trend]')).boundingBox();
  await page.mouse.move(trendBox.x + trendBox.width / 2, trendBox.y + trendBox.height / 2);
  await page.waitForTimeout(300);
  const cardsBefore = await compareCards(page, all, `${where} unfiltered`);
  await compareSegments(page, all, `${where} unfiltered`);

  // A filter on a customer attribute with several values: the region when the demo has it.
  const filters = (await apiFromPage(page, '/api/filters?lang=en')).body;
  const attrs = Object.entries(filters.attributes).filter(([, values]) => values.length >= 2);
  const [attr, values] = attrs.find(([a]) => a === 'region') ?? attrs[0];
  const value = values[0];
  await page.selectOption('#filters select[name=attr]', attr);
  await page.selectOption('#filters select[name=value]', value);
  await page.click('#filters button[type=submit]');
  const filterQuery = new URLSearchParams({ attr, value }).toString();
  await page.waitForFunction((q) => document.querySelector('#view[data-state=ready]')?.dataset.report?.includes(q), filterQuery, { timeout: SLOW });
  const filtered = (await apiFromPage(page, `/api/report?lang=en&${filterQuery}`)).body;
  const cardsAfter = await compareCards(page, filtered, `${where} ${attr}=${value}`);
  if (filtered.segments) await compareSegments(page, filtered, `${where} ${attr}=${value}`);
  check(JSON.stringify(cardsBefore) !== JSON.stringify(cardsAfter), where, `the filter ${attr}=${value} changed the cards: ${JSON.stringify(cardsBefore)} → ${JSON.stringify(cardsAfter)}`);
  await checkCharts(page, filtered, `${where} ${attr}=${value}`);

  // Segment export under the filter: the file holds the table's rows.
  const segmentsCsv = await download(page, '#view a[data-export=segments]', `${where} segments export`);
  const shownSegments = await tableRows(page, 'segments');
  check(segmentsCsv.rows.length === shownSegments.length, where, `segments export has ${segmentsCsv.rows.length} rows, the table ${shownSegments.length}`);
  for (const [i, s] of filtered.segments.segments.entries()) {
    const line = segmentsCsv.rows.find((r) => Object.values(r).includes(s.name));
    const cells = line ? Object.values(line).map(Number) : [];
    check(line !== undefined && cells.includes(s.customers), where, `export row for ${s.name} (table row ${i + 1}) has ${s.customers} customers`);
  }

  // The period and segment filters together: the month before the last, the biggest segment.
  const biggest = all.segments.segments.reduce((a, b) => (b.customers > a.customers ? b : a));
  const period = filters.periods.at(-2);
  const segmentFilter = filters.segments.find((x) => x.label === biggest.name).key;
  await page.selectOption('#filters select[name=period]', period);
  await page.selectOption('#filters select[name=segment]', segmentFilter);
  await page.selectOption('#filters select[name=attr]', '');
  await page.click('#filters button[type=submit]');
  const periodQuery = new URLSearchParams({ period, segment: segmentFilter }).toString();
  await page.waitForFunction((q) => document.querySelector('#view[data-state=ready]')?.dataset.report?.includes(q), periodQuery, { timeout: SLOW });
  const byPeriod = (await apiFromPage(page, `/api/report?lang=en&${periodQuery}`)).body;
  const cardsByPeriod = await compareCards(page, byPeriod, `${where} ${periodQuery}`);
  check(byPeriod.period === period, where, `the report for ${periodQuery} is for month ${byPeriod.period}`);
  check(JSON.stringify(cardsBefore) !== JSON.stringify(cardsByPeriod), where, `the filter ${periodQuery} changed the cards: ${JSON.stringify(cardsByPeriod)}`);

  // Every other export of the overview (still filtered): a CSV with a BOM, a header and rows.
  const exports = await page.$$eval('#view a[data-export]', (links) => links.map((a) => a.dataset.export));
  for (const name of exports.filter((x) => x !== 'segments')) {
    const csv = await download(page, `#view a[data-export="${name}"]`, `${where} ${name} export`);
    check(csv.header.length >= 2 && csv.rows.length > 0, where, `${name} export: ${csv.header.length} columns, ${csv.rows.length} rows`);
    // The tables on screen with one row per exported row (the cohort table is wide, its export long).
    if (name === 'trend' || name === 'drivers') {
      const shownRows = (await tableRows(page, name)).length;
      check(csv.rows.length === shownRows, where, `${name} export has the ${shownRows} rows of the table on screen`);
    }
  }

  await page.click('#filters button.reset');
  await page.waitForFunction(() => document.querySelector('#view[data-state=ready]')?.dataset.report === '/api/report?lang=en', null, { timeout: SLOW });
  await compareCards(page, all, `${where} after reset`);

  // Drill-down from the chart: the foot of the biggest segment's bar (grid as charts.ts lays it out: 64 px left and right, 80 px below).
  const rowIndex = all.segments.segments.indexOf(biggest);
  await page.$eval('[data-chart=segments]', (box) => box.scrollIntoView({ block: 'center' }));
  const bars = await (await page.$('[data-chart=segments]')).boundingBox();
  const slot = (bars.width - 128) / all.segments.segments.length;
  await page.mouse.click(bars.x + 64 + slot * (rowIndex + 0.5), bars.y + bars.height - 84);
  await page.waitForSelector('#view[data-state=ready] table[data-table=customers]', { timeout: SLOW });
  const fromChart = decodeURIComponent(new URL(page.url()).hash.replace('#/segment/', ''));
  const label = filters.segments.find((x) => x.key === fromChart)?.label;
  check(label === biggest.name, where, `clicking the bar of ${biggest.name} opens segment ${fromChart} (${label})`);
  await page.goBack();
  await page.waitForSelector('#view[data-state=ready] table[data-table=segments]', { timeout: SLOW });

  // Drill-down from the table: the biggest segment's row → its customers.
  await page.click(`#view table[data-table=segments] tbody tr:nth-child(${rowIndex + 1})`);
  await page.waitForSelector('#view[data-state=ready] table[data-table=customers]', { timeout: SLOW });
  const segmentKey = decodeURIComponent(new URL(page.url()).hash.replace('#/segment/', ''));
  const customers = (await apiFromPage(page, `/api/customers?${new URLSearchParams({ segment: segmentKey, limit: '50', offset: '0' })}`)).body;
  const total = await page.getAttribute('#view .shown', 'data-total');
  check(Number(total) === customers.total && customers.total > 0, where, `segment ${segmentKey}: ${total} customers shown, the API says ${customers.total}`);
  const adminRows = await tableRows(page, 'customers');
  check(
    JSON.stringify(adminRows.map((r) => r.customer_id)) === JSON.stringify(customers.rows.map((r) => String(r.customer_id))),
    where,
    `the first page lists the API's ${customers.rows.length} customers in its order`,
  );
  if (customers.total > 50) {
    await page.click('#view .pager button.next');
    await page.waitForFunction(() => JSON.parse(document.querySelector('#view[data-state=ready]')?.dataset.customers ?? '{}').offset === 50, null, { timeout: SLOW });
    const second = (await apiFromPage(page, `/api/customers?${new URLSearchParams({ segment: segmentKey, limit: '50', offset: '50' })}`)).body;
    const secondRows = await tableRows(page, 'customers');
    check(JSON.stringify(secondRows.map((r) => r.customer_id)) === JSON.stringify(second.rows.map((r) => String(r.customer_id))), where, `page 2 lists the API's next ${second.rows.length} customers`);
    await page.click('#view .pager button.previous');
    await page.waitForFunction(() => JSON.parse(document.querySelector('#view[data-state=ready]')?.dataset.customers ?? '{}').offset === 0, null, { timeout: SLOW });
  }
  const sought = adminRows[Math.min(1, adminRows.length - 1)].customer_id;
  await page.fill('#view .search input', sought);
  await page.press('#view .search input', 'Enter');
  await page.waitForFunction((q) => JSON.parse(document.querySelector('#view[data-state=ready]')?.dataset.customers ?? '{}').q === q, sought, { timeout: SLOW });
  const found = await tableRows(page, 'customers');
  check(found.some((r) => r.customer_id === sought), where, `searching "${sought}" lists it (${found.length} row(s))`);
  await page.fill('#view .search input', '');
  await page.press('#view .search input', 'Enter');
  await page.waitForFunction(() => JSON.parse(document.querySelector('#view[data-state=ready]')?.dataset.customers ?? '{"q":"x"}').q === '', null, { timeout: SLOW });

  const customersCsv = await download(page, '#view a[data-export=customers]', `${where} customers export`);
  check(customersCsv.rows.length === customers.total, where, `customers export has ${customersCsv.rows.length} rows, the segment ${customers.total}`);
  for (const row of adminRows) {
    const line = customersCsv.rows.find((r) => r.customer_id === row.customer_id);
    const same = line !== undefined && PII.every((k) => !(k in row) || !(k in line) || line[k] === row[k]);
    if (!same) fail(where, `export row for ${row.customer_id}: ${JSON.stringify(line)} vs table ${JSON.stringify(row)}`);
  }
  ok(where, `every customer on screen is in the export with the same ${PII.filter((k) => k in adminRows[0]).join('/')}`);

  // The first customer on the page → the timeline.
  const target = adminRows[0].customer_id;
  await page.click(`#view table[data-table=customers] tbody tr:nth-child(1)`);
  await page.waitForSelector('#view[data-state=ready] [data-chart=timeline] canvas', { timeout: SLOW });
  const timeline = (await apiFromPage(page, `/api/customers/${encodeURIComponent(target)}?lang=en`)).body;
  const painted = (await paintedCharts(page)).find((c) => c.name === 'timeline');
  check(painted && painted.painted > 2000, where, `timeline of ${target} drawn (${painted?.painted} pixels painted)`);
  for (const kind of ['orders', 'events', 'feedback', 'subscriptions']) {
    const rows = (await tableRows(page, kind)).length;
    const expected = (timeline[kind] ?? []).length;
    check(rows === expected, where, `timeline of ${target}: ${rows} ${kind} rows, the API has ${expected}`);
  }
  check((timeline.orders ?? []).length > 0, where, `${target} has orders on the timeline`);
  const adminFacts = Object.fromEntries(await page.$$eval('#view dd[data-field]', (dds) => dds.map((d) => [d.dataset.field, d.textContent])));
  check(String(timeline.customer.customer_id) === adminFacts.customer_id, where, `the customer card shows ${adminFacts.customer_id}`);

  // Administration: users, a CSRF-protected add and remove, the audit log.
  await page.click('.topbar a[data-nav=admin]');
  await page.waitForSelector('#view[data-state=ready] table[data-table=users]', { timeout: SLOW });
  const listed = await page.$$eval('#view tr[data-user]', (rows) => rows.map((r) => r.dataset.user));
  check(Object.values(accounts).every((a) => listed.includes(a.name)), where, `users listed: ${listed.join(', ')}`);
  const temporary = { name: 'e2e-temporary', password: `temp-${randomBytes(8).toString('hex')}` };
  await page.fill('#view .add-user input[name=username]', temporary.name);
  await page.fill('#view .add-user input[name=password]', temporary.password);
  await page.selectOption('#view .add-user select[name=role]', 'viewer');
  await page.click('#view .add-user button[type=submit]');
  await page.waitForSelector('#view tr[data-user="e2e-temporary"]', { timeout: SLOW });
  ok(where, 'added user e2e-temporary through the form');
  // The new account logs in elsewhere; removing it ends that session, and its next request (a 401) shows the login page.
  const elsewhere = await newPage(browser, 'removed user');
  await login(elsewhere.page, temporary);
  await page.click('#view tr[data-user="e2e-temporary"] button.remove');
  await page.waitForSelector('#view tr[data-user="e2e-temporary"]', { state: 'detached', timeout: SLOW });
  await elsewhere.page.evaluate((key) => { location.hash = `#/segment/${encodeURIComponent(key)}`; }, filters.segments[0].key);
  await elsewhere.page.waitForSelector('#login input[name=username]', { timeout: SLOW });
  check((await elsewhere.page.$('#view')) === null, 'removed user', 'its next request got 401 and the app went back to the login page');
  await elsewhere.finish();
  const usersNow = (await apiFromPage(page, '/api/admin/users')).body;
  const namesNow = (Array.isArray(usersNow) ? usersNow : usersNow.users).map((u) => u.name ?? u.username);
  check(!namesNow.includes('e2e-temporary'), where, 'removed user e2e-temporary through the form');
  const actions = await page.$$eval('#view table[data-table=audit] td[data-col=action]', (tds) => tds.map((t) => t.textContent));
  check(actions.some((a) => /export/i.test(a)) && actions.some((a) => /login/i.test(a)), where, `audit log on screen has logins and exports (${new Set(actions).size} kinds of action)`);

  // Unauthenticated: every route of the OpenAPI document, replayed without the cookie.
  const openapi = (await apiFromPage(page, '/api/openapi.json')).body;
  const routes = Object.entries(openapi.paths).flatMap(([path, ops]) =>
    Object.keys(ops).filter((m) => ['get', 'post', 'put', 'delete', 'patch'].includes(m)).map((m) => [m.toUpperCase(), path]),
  );
  check(routes.length >= 12, where, `${routes.length} operations in /api/openapi.json`);
  for (const [method, path] of routes) {
    if (method === 'POST' && path === '/api/login') continue;
    const concrete = path.replace('{table}', 'customers').replace('{id}', encodeURIComponent(target)).replace(/\{[^}]+\}/g, 'e2e-viewer');
    const response = await fetch(`${origin}${concrete}`, { method, headers: { 'Content-Type': 'application/json' }, body: method === 'GET' ? undefined : '{}' });
    check(response.status === 401, 'no session', `${method} ${concrete} → ${response.status}`);
  }

  // Screenshots: the first screen in English, then the language switch to Chinese.
  await page.click('.topbar nav a[href="#/"]');
  await waitReady(page);
  await page.waitForSelector('[data-chart=trend] canvas');
  await page.screenshot({ path: resolve(outDir, 'dashboard-en.png') });
  await page.screenshot({ path: resolve(outDir, 'dashboard-en-full.png'), fullPage: true });
  await page.selectOption('.topbar select[name=lang]', 'zh');
  await page.waitForFunction(() => document.querySelector('#view[data-state=ready]')?.dataset.report?.includes('lang=zh'), null, { timeout: SLOW });
  await page.waitForSelector('[data-chart=trend] canvas');
  const zh = (await apiFromPage(page, '/api/report?lang=zh')).body;
  await compareCards(page, zh, `${where} zh`);
  const title = await page.textContent('#view h1');
  const churnLabel = await page.textContent('#view .kpi[data-kpi=churn_rate] .kpi-label');
  check(title === '客户流失分析报告' && churnLabel === '流失率', where, `in Chinese: "${title}", "${churnLabel}"`);
  await checkCharts(page, zh, `${where} zh`);
  await page.screenshot({ path: resolve(outDir, 'dashboard-zh.png') });
  ok(where, `screenshots dashboard-en.png, dashboard-zh.png in ${resolve(outDir)}`);

  // Logout ends the session on the server too.
  await page.click('.topbar button.logout');
  await page.waitForSelector('#login');
  check((await apiFromPage(page, '/api/me')).status === 401, where, 'after logout /api/me answers 401 and the login page is shown');
  await admin.finish();

  // ---- viewer: masked PII everywhere, no administration ----
  where = 'viewer';
  const viewer = await newPage(browser, where);
  page = viewer.page;
  await login(page, accounts.viewer);
  await page.waitForSelector('[data-chart=trend] canvas', { timeout: SLOW });
  check((await page.$('.topbar a[data-nav=admin]')) === null, where, 'no admin link in the header');
  await page.goto(`${origin}/?lang=en#/admin`);
  await page.waitForSelector('#view[data-state=ready] .forbidden', { timeout: SLOW });
  check((await page.$('#view table[data-table=users]')) === null, where, 'the admin page shows no users, only that it is for administrators');
  for (const path of ['/api/admin/users', '/api/admin/audit?limit=10']) {
    const status = (await apiFromPage(page, path)).status;
    check(status === 403, where, `GET ${path} → ${status}`);
  }
  await page.goto(`${origin}/?lang=en#/segment/${encodeURIComponent(segmentKey)}`);
  await page.waitForSelector('#view[data-state=ready] table[data-table=customers]', { timeout: SLOW });
  const viewerRows = await tableRows(page, 'customers');
  const masked = (shown, clear) => clear === undefined || clear === '' || (shown !== clear && shown.includes('*'));
  let compared = 0;
  for (const row of viewerRows) {
    const clear = adminRows.find((r) => r.customer_id === row.customer_id);
    if (!clear) continue;
    compared += 1;
    for (const k of PII) if (k in clear && !masked(row[k], clear[k])) fail(where, `table: ${row.customer_id}'s ${k} is "${row[k]}" (admin sees "${clear[k]}")`);
  }
  check(compared > 0, where, `table: ${compared} customers' ${PII.filter((k) => k in adminRows[0]).join('/')} masked (e.g. ${viewerRows[0].name} ${viewerRows[0].phone})`);
  const phones = viewerRows.map((r) => r.phone).filter(Boolean);
  check(phones.every((p) => /^\d{3}\*{4}\d{4}$/.test(p)), where, `phones masked as 138****5678 (${phones.length} checked)`);
  const viewerCsv = await download(page, '#view a[data-export=customers]', `${where} customers export`);
  let csvCompared = 0;
  for (const clear of adminRows) {
    const line = viewerCsv.rows.find((r) => r.customer_id === clear.customer_id);
    if (!line) continue;
    csvCompared += 1;
    for (const k of PII) if (k in clear && k in line && !masked(line[k], clear[k])) fail(where, `export: ${clear.customer_id}'s ${k} is "${line[k]}"`);
  }
  check(csvCompared === adminRows.length, where, `export: ${csvCompared} customers with masked PII`);
  await page.goto(`${origin}/?lang=en#/customer/${encodeURIComponent(target)}`);
  await page.waitForSelector('#view[data-state=ready] [data-chart=timeline] canvas', { timeout: SLOW });
  const viewerFacts = Object.fromEntries(await page.$$eval('#view dd[data-field]', (dds) => dds.map((d) => [d.dataset.field, d.textContent])));
  for (const k of PII) {
    if (k in adminFacts) check(masked(viewerFacts[k], adminFacts[k]), where, `timeline: ${k} "${viewerFacts[k]}" (admin sees it unmasked)`);
  }
  await viewer.finish();

  // ---- analyst: unmasked PII, no administration ----
  where = 'analyst';
  const analyst = await newPage(browser, where);
  page = analyst.page;
  await login(page, accounts.analyst);
  check((await page.$('.topbar a[data-nav=admin]')) === null, where, 'no admin link in the header');
  const analystStatus = (await apiFromPage(page, '/api/admin/users')).status;
  check(analystStatus === 403, where, `GET /api/admin/users → ${analystStatus}`);
  await page.goto(`${origin}/?lang=en#/segment/${encodeURIComponent(segmentKey)}`);
  await page.waitForSelector('#view[data-state=ready] table[data-table=customers]', { timeout: SLOW });
  const analystRows = await tableRows(page, 'customers');
  check(JSON.stringify(analystRows) === JSON.stringify(adminRows), where, `the customers table equals the admin's, PII unmasked (${analystRows.length} rows)`);
  await analyst.finish();

  // ---- the login rate limit, last: it blocks this client address for a while ----
  where = 'rate limit';
  const limited = await newPage(browser, where);
  page = limited.page;
  await page.goto(`${origin}/?lang=en`);
  await page.waitForSelector('#login input[name=username]');
  const statuses = [];
  let retryAfter = null;
  for (let attempt = 0; attempt < 7 && !statuses.includes(429); attempt += 1) {
    await page.fill('#login input[name=username]', 'e2e-nobody');
    await page.fill('#login input[name=password]', `wrong-${attempt}`);
    const [response] = await Promise.all([page.waitForResponse((r) => r.url().includes('/api/login')), page.click('#login button[type=submit]')]);
    statuses.push(response.status());
    retryAfter = response.headers()['retry-after'] ?? null;
    await page.waitForFunction(() => !document.querySelector('#login button[type=submit]').disabled);
  }
  check(statuses.at(-1) === 429 && statuses.slice(0, -1).every((s) => s === 401) && statuses.length <= 6, where, `login answers ${statuses.join(', ')}; Retry-After ${retryAfter}`);
  const shown = await page.textContent('#login .error');
  const seconds = Number(retryAfter);
  const wait = seconds >= 120 ? `${Math.ceil(seconds / 60)} min` : `${seconds} s`;
  check(retryAfter !== null && shown.includes(wait), where, `the form says "${shown}"`);
  await limited.finish();
} finally {
  await browser.close();
  server.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
if (failures > 0) {
  console.error(`${failures} check(s) failed`);
  if (serverLog) console.error(`server log:\n${serverLog.slice(-4000)}`);
  process.exit(1);
}
console.log('dashboard e2e: all checks passed');
