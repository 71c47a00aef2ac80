// Entry point of the dashboard (issue #8): a single-page app over the server's
// JSON API (crates/churnlens-server, openapi.json). It draws the report's views
// with the report's own chart code (charts.ts) from `/api/report`, adds filters,
// drill-down from a segment to its customers and from a customer to their
// timeline, CSV export of every table, and the admin pages. It talks to its own
// origin only; the session is an HttpOnly cookie, and every write carries the
// session's CSRF token.

import * as echarts from 'echarts/core';
import { ScatterChart } from 'echarts/charts';

import { chart, charts, disposeCharts, el, fmt, renderReport, setTooltipMode, tooltipBreak } from './charts';
import { DASHBOARD_LABELS, DashboardLabels, LABELS } from './i18n';
import type { ReportData } from './types';

// The timeline is the one chart the report does not have.
echarts.use([ScatterChart]);
// Tooltips on the canvas: HTML tooltips need inline styles, which a strict Content-Security-Policy refuses.
setTooltipMode('richText');

type Lang = 'en' | 'zh';
type Row = Record<string, unknown>;
interface User { name: string; role: string }
interface Session { user: User; csrf: string }
interface FilterOptions { periods: string[]; segments: { key: string; label: string }[]; attributes: Record<string, string[]> }
interface Selection { period: string; segment: string; attr: string; value: string }
interface CustomerPage { total: number; rows: Row[] }
interface Risk { probability: number; tier: string; reasons: string[] }
interface Timeline { customer: Row; orders?: Row[]; events?: Row[]; feedback?: Row[]; subscriptions?: Row[]; risk: Risk | null }
/** A table column: the row key, its heading, and the decimals when it holds numbers to format. */
interface Column { key: string; label: string; digits?: number }

/** The session ended or never began: the app goes back to the login page. */
class Unauthorized extends Error {}

/** A non-2xx answer, with the API's plain message. */
class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly retryAfterSeconds: number | null) {
    super(message);
  }
}

const PAGE_SIZE = 50;
const TIMELINE_KINDS = ['orders', 'events', 'feedback', 'subscriptions'] as const;

function initialLang(): Lang {
  const asked = new URLSearchParams(location.search).get('lang');
  if (asked === 'zh' || asked === 'en') return asked;
  return (navigator.language || 'en').toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

const state = {
  lang: initialLang(),
  session: null as Session | null,
  filters: null as FilterOptions | null,
  selection: { period: '', segment: '', attr: '', value: '' } as Selection,
  reports: new Map<string, ReportData>(),
  // Each view load takes a number; an answer for an older load is dropped, so a slow reply cannot overwrite a newer view.
  generation: 0,
};

const t = (): DashboardLabels => DASHBOARD_LABELS[state.lang];

/** `path?params&lang=…` with empty parameters left out. */
function apiUrl(path: string, params: Record<string, string | number> = {}): string {
  const query = new URLSearchParams();
  Object.entries(params).forEach(([k, v]) => {
    if (v !== '') query.set(k, String(v));
  });
  query.set('lang', state.lang);
  return `${path}?${query.toString()}`;
}

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  const method = (init.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && state.session) headers.set('X-CSRF-Token', state.session.csrf);
  if (init.body !== undefined) headers.set('Content-Type', 'application/json');
  const response = await fetch(path, { ...init, method, headers, credentials: 'same-origin', cache: 'no-store' });
  const isLogin = path.startsWith('/api/login');
  if (response.status === 401 && !isLogin) {
    state.session = null;
    showLogin();
    throw new Unauthorized();
  }
  if (!response.ok) {
    let message = `${t().failed} (${response.status})`;
    try {
      const body = (await response.json()) as { error?: string };
      if (body.error) message = body.error;
    } catch {
      // Not JSON (a proxy's page, say): the status line above says enough.
    }
    const retry = Number(response.headers.get('Retry-After'));
    throw new ApiError(response.status, message, Number.isFinite(retry) && retry > 0 ? retry : null);
  }
  // Writes may answer 201 or 204 with no body.
  const text = await response.text();
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

function root(): HTMLElement {
  const node = document.getElementById('app');
  if (!node) throw new Error('the page has no #app element');
  return node;
}

function button(text: string, className: string, onClick: () => void): HTMLButtonElement {
  const node = el('button', className, text);
  node.type = 'button';
  node.addEventListener('click', onClick);
  return node;
}

function select(name: string, options: [string, string][], value: string): HTMLSelectElement {
  const node = el('select');
  node.name = name;
  options.forEach(([v, label]) => {
    const option = el('option', undefined, label);
    option.value = v;
    node.appendChild(option);
  });
  node.value = value;
  return node;
}

function labelled(text: string, control: HTMLElement): HTMLLabelElement {
  const node = el('label', 'field');
  node.appendChild(el('span', undefined, text));
  node.appendChild(control);
  return node;
}

function showError(parent: HTMLElement, error: unknown): void {
  if (error instanceof Unauthorized) return;
  const message = error instanceof Error ? error.message : String(error);
  parent.appendChild(el('p', 'error', message));
}

function setLangInUrl(): void {
  const url = new URL(location.href);
  url.searchParams.set('lang', state.lang);
  history.replaceState(null, '', url.toString());
  document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en';
}

// ---- login ----

function showLogin(): void {
  disposeCharts();
  setLangInUrl();
  const L = t();
  document.title = L.app;
  const page = root();
  page.replaceChildren();
  const box = el('form', 'login');
  box.id = 'login';
  box.appendChild(el('h1', undefined, L.app));
  const lang = select('lang', [['en', 'English'], ['zh', '中文']], state.lang);
  lang.addEventListener('change', () => {
    state.lang = lang.value as Lang;
    showLogin();
  });
  box.appendChild(labelled(L.language, lang));
  const username = el('input');
  username.name = 'username';
  username.autocomplete = 'username';
  username.required = true;
  const password = el('input');
  password.name = 'password';
  password.type = 'password';
  password.autocomplete = 'current-password';
  password.required = true;
  box.appendChild(labelled(L.username, username));
  box.appendChild(labelled(L.password, password));
  const submit = el('button', 'primary', L.signIn);
  submit.type = 'submit';
  box.appendChild(submit);
  const message = el('p', 'error');
  message.setAttribute('role', 'alert');
  box.appendChild(message);
  box.addEventListener('submit', (event) => {
    event.preventDefault();
    submit.disabled = true;
    message.textContent = L.signingIn;
    api<Session>(apiUrl('/api/login'), { method: 'POST', body: JSON.stringify({ username: username.value, password: password.value }) })
      .then((session) => {
        state.session = session;
        return startApp();
      })
      .catch((error: unknown) => {
        submit.disabled = false;
        if (error instanceof ApiError && error.status === 429) {
          const wait = error.retryAfterSeconds ?? 900;
          message.textContent = L.tooMany(wait >= 120 ? L.minutes(Math.ceil(wait / 60)) : L.seconds(wait));
        } else {
          message.textContent = error instanceof Error ? error.message : String(error);
        }
      });
  });
  page.appendChild(box);
  username.focus();
}

// ---- the app shell: header, filters, view ----

async function startApp(): Promise<void> {
  state.filters = await api<FilterOptions>(apiUrl('/api/filters'));
  renderShell();
  route();
}

function view(): HTMLElement {
  const node = document.getElementById('view');
  if (!node) throw new Error('the app shell is not drawn');
  return node;
}

function renderShell(): void {
  const session = state.session;
  if (!session) return showLogin();
  setLangInUrl();
  const L = t();
  document.title = L.app;
  const page = root();
  page.replaceChildren();

  const header = el('header', 'topbar');
  header.appendChild(el('strong', 'brand', L.app));
  const nav = el('nav');
  const overview = el('a', undefined, L.overview);
  overview.href = '#/';
  nav.appendChild(overview);
  if (session.user.role === 'admin') {
    const admin = el('a', undefined, L.admin);
    admin.href = '#/admin';
    admin.dataset.nav = 'admin';
    nav.appendChild(admin);
  }
  header.appendChild(nav);
  const who = el('span', 'who', `${session.user.name} · ${L.roles[session.user.role] ?? session.user.role}`);
  who.dataset.role = session.user.role;
  header.appendChild(who);
  const lang = select('lang', [['en', 'English'], ['zh', '中文']], state.lang);
  lang.setAttribute('aria-label', L.language);
  lang.addEventListener('change', () => {
    state.lang = lang.value as Lang;
    startApp().catch((error: unknown) => showError(view(), error));
  });
  header.appendChild(lang);
  header.appendChild(
    button(L.signOut, 'logout', () => {
      api<void>(apiUrl('/api/logout'), { method: 'POST' })
        .catch(() => undefined)
        .then(() => {
          state.session = null;
          state.reports.clear();
          showLogin();
        });
    }),
  );
  page.appendChild(header);
  page.appendChild(filterBar());
  const main = el('main');
  main.id = 'view';
  page.appendChild(main);
}

function filterBar(): HTMLElement {
  const L = t();
  const options = state.filters ?? { periods: [], segments: [], attributes: {} };
  const s = state.selection;
  const form = el('form', 'filters');
  form.id = 'filters';
  const period = select('period', [['', L.latest] as [string, string]].concat(options.periods.map((p) => [p, p])), s.period);
  const segment = select('segment', [['', L.all] as [string, string]].concat(options.segments.map((x) => [x.key, x.label])), s.segment);
  const attr = select('attr', [['', L.none] as [string, string]].concat(Object.keys(options.attributes).map((a) => [a, a])), s.attr);
  const value = select('value', [], '');
  const fillValues = (chosen: string) => {
    const values = options.attributes[attr.value] ?? [];
    value.replaceChildren();
    [['', L.all] as [string, string]].concat(values.map((v) => [v, v])).forEach(([v, label]) => {
      const option = el('option', undefined, label);
      option.value = v;
      value.appendChild(option);
    });
    value.value = chosen;
    value.disabled = attr.value === '';
  };
  fillValues(s.value);
  attr.addEventListener('change', () => fillValues(''));
  form.appendChild(labelled(L.period, period));
  form.appendChild(labelled(L.segment, segment));
  form.appendChild(labelled(L.attribute, attr));
  form.appendChild(labelled(L.value, value));
  const apply = el('button', 'primary', L.apply);
  apply.type = 'submit';
  form.appendChild(apply);
  form.appendChild(
    button(L.reset, 'reset', () => {
      state.selection = { period: '', segment: '', attr: '', value: '' };
      form.replaceWith(filterBar());
      goOverview();
    }),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const hasValue = attr.value !== '' && value.value !== '';
    state.selection = { period: period.value, segment: segment.value, attr: hasValue ? attr.value : '', value: hasValue ? value.value : '' };
    goOverview();
  });
  return form;
}

function goOverview(): void {
  if (location.hash === '' || location.hash === '#/') route();
  else location.hash = '#/';
}

function selectionParams(): Record<string, string> {
  const s = state.selection;
  return { period: s.period, segment: s.segment, attr: s.attr, value: s.value };
}

/** An export link for one table, carrying the current filters (and any extra ones, such as a search). */
function exportLink(table: string, extra: Record<string, string> = {}): HTMLAnchorElement {
  const link = el('a', 'button export', t().exportCsv);
  link.href = apiUrl(`/api/export/${table}.csv`, { ...selectionParams(), ...extra });
  link.setAttribute('download', `${table}.csv`);
  link.dataset.export = table;
  return link;
}

function cellText(value: unknown, column: Column): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (column.digits === undefined) return String(value);
    return fmt(value, column.digits);
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** A table named `name` (data-table), one column per `columns`; rows are clickable when `onRow` is given. */
function dataTable(name: string, columns: Column[], rows: Row[], onRow?: (row: Row) => void): HTMLTableElement {
  const table = el('table', 'data');
  table.dataset.table = name;
  const head = el('tr');
  columns.forEach((c) => {
    const th = el('th', c.digits === undefined ? undefined : 'number', c.label);
    th.dataset.col = c.key;
    head.appendChild(th);
  });
  const thead = el('thead');
  thead.appendChild(head);
  table.appendChild(thead);
  const body = el('tbody');
  rows.forEach((row) => {
    const tr = el('tr');
    columns.forEach((c) => {
      const value = row[c.key];
      const td = el('td', typeof value === 'number' ? 'number' : undefined, cellText(value, c));
      td.dataset.col = c.key;
      tr.appendChild(td);
    });
    if (onRow) {
      tr.classList.add('link');
      tr.tabIndex = 0;
      tr.addEventListener('click', () => onRow(row));
      tr.addEventListener('keydown', (event) => {
        if (event.key === 'Enter') onRow(row);
      });
    }
    body.appendChild(tr);
  });
  table.appendChild(body);
  return table;
}

/** A titled block: heading, export link, scrolling table. */
function tableBlock(title: string, exportName: string | null, table: HTMLElement, extra: Record<string, string> = {}): HTMLElement {
  const block = el('div', 'table-block');
  const head = el('div', 'table-head');
  head.appendChild(el('h3', undefined, title));
  if (exportName) head.appendChild(exportLink(exportName, extra));
  block.appendChild(head);
  const scroll = el('div', 'table-scroll');
  scroll.appendChild(table);
  block.appendChild(scroll);
  return block;
}

// ---- routes ----

function route(): void {
  if (!state.session) return showLogin();
  if (!document.getElementById('view')) renderShell();
  const generation = ++state.generation;
  disposeCharts();
  const main = view();
  main.replaceChildren(el('p', 'loading', t().loading));
  // What the previous view said it shows (report query, customer id…) no longer holds.
  Object.keys(main.dataset).forEach((key) => delete main.dataset[key]);
  main.dataset.state = 'loading';
  const hash = decodeURIComponent(location.hash.replace(/^#\/?/, ''));
  const [kind, ...rest] = hash.split('/');
  const arg = rest.join('/');
  let done: Promise<void>;
  if (kind === 'segment') done = showCustomers(generation, arg);
  else if (kind === 'customer') done = showCustomer(generation, arg);
  else if (kind === 'admin') done = showAdmin(generation);
  else done = showOverview(generation);
  done
    .catch((error: unknown) => {
      if (generation !== state.generation) return;
      main.replaceChildren();
      showError(main, error);
    })
    .finally(() => {
      if (generation === state.generation && document.getElementById('view') === main) main.dataset.state = 'ready';
    });
}

function current(generation: number): boolean {
  return generation === state.generation;
}

async function showOverview(generation: number): Promise<void> {
  const url = apiUrl('/api/report', selectionParams());
  let data = state.reports.get(url);
  if (!data) {
    data = await api<ReportData>(url);
    state.reports.set(url, data);
  }
  if (!current(generation)) return;
  const main = view();
  main.replaceChildren();
  main.dataset.report = url;
  const report = el('div', 'report');
  main.appendChild(report);
  renderReport(data, report);
  document.title = t().app;
  addTables(data, report);
}

function segmentKey(name: string): string {
  const found = state.filters?.segments.find((s) => s.label === name || s.key === name);
  return found ? found.key : name;
}

function openSegment(name: string): void {
  location.hash = `#/segment/${encodeURIComponent(segmentKey(name))}`;
}

/** The report's sections become live: a table with an export link under each, segments open their customers. */
function addTables(data: ReportData, report: HTMLElement): void {
  const L = t();
  const sectionNode = (id: string) => report.querySelector<HTMLElement>(`#section-${id}`);
  const segments = sectionNode('segments');
  if (data.segments && segments) {
    const c = L.segmentTable;
    const columns: Column[] = [
      { key: 'name', label: c.name },
      { key: 'customers', label: c.customers, digits: 0 },
      { key: 'churn_rate', label: c.churn_rate, digits: 1 },
      { key: 'revenue_share', label: c.revenue_share, digits: 1 },
      { key: 'average_clv', label: c.average_clv, digits: 0 },
    ];
    const rows = data.segments.segments.map((s) => ({ ...s }) as Row);
    segments.appendChild(el('p', 'hint', L.openSegment));
    segments.appendChild(tableBlock(L.tables.segments, 'segments', dataTable('segments', columns, rows, (row) => openSegment(String(row.name)))));
    const instance = charts.find((x) => (x.getDom() as HTMLElement).dataset.chart === 'segments');
    instance?.on('click', (params) => {
      if (params.name) openSegment(String(params.name));
    });
  }
  const drivers = sectionNode('drivers');
  if (data.drivers && drivers) {
    const c = L.driverTable;
    const columns: Column[] = [
      { key: 'attribute', label: c.attribute },
      { key: 'cramers_v', label: c.cramers_v, digits: 4 },
      { key: 'p_value', label: c.p_value, digits: 4 },
      { key: 'sentence', label: c.sentence },
    ];
    drivers.appendChild(tableBlock(L.tables.drivers, 'drivers', dataTable('drivers', columns, data.drivers.drivers.map((d) => ({ ...d }) as Row))));
  }
  const trend = sectionNode('trend');
  if (data.trend && trend) {
    const d = data.trend;
    const c = L.trendTable;
    const columns: Column[] = [
      { key: 'period', label: c.period },
      { key: 'churn_rate', label: c.churn_rate, digits: 1 },
      { key: 'retention_rate', label: c.retention_rate, digits: 1 },
      { key: 'active', label: c.active, digits: 0 },
      { key: 'new', label: c.new, digits: 0 },
      { key: 'churned', label: c.churned, digits: 0 },
    ];
    const rows = d.periods.map((period, i) => ({ period, churn_rate: d.churn_rate[i], retention_rate: d.retention_rate[i], active: d.active[i], new: d.new[i], churned: d.churned[i] }) as Row);
    trend.appendChild(tableBlock(L.tables.trend, 'trend', dataTable('trend', columns, rows)));
  }
  const cohorts = sectionNode('cohorts');
  if (data.cohorts && cohorts) {
    const d = data.cohorts;
    const offsets = Array.from({ length: d.max_offset + 1 }, (_, i) => i);
    const columns: Column[] = [{ key: 'cohort', label: LABELS[state.lang].series.cohort }, { key: 'size', label: L.segmentTable.customers, digits: 0 }].concat(
      offsets.map((o) => ({ key: `m${o}`, label: `+${o}`, digits: 1 })),
    );
    const rows: Row[] = d.cohorts.map((cohort, i) => ({ cohort, size: d.sizes[i] }));
    d.cells.forEach(([offset, index, value]) => {
      rows[index][`m${offset}`] = value;
    });
    const block = tableBlock(L.tables.cohorts, 'cohorts', dataTable('cohorts', columns, rows));
    block.classList.add('collapsed');
    const toggle = button(L.tables.cohorts, 'toggle', () => block.classList.toggle('collapsed'));
    cohorts.appendChild(toggle);
    cohorts.appendChild(block);
  }
  const model = sectionNode('churn_model');
  const riskTable = model?.querySelector('table.at-risk');
  if (model && riskTable) {
    const link = exportLink('at_risk');
    riskTable.before(link);
  }
  const modelsTable = model?.querySelector('table.models');
  if (model && modelsTable) modelsTable.before(exportLink('models'));
  // The views drawn only as charts export the numbers behind them.
  const cards = report.querySelector('.kpis');
  if (cards) cards.after(chartExport('kpis'));
  ['revenue_lost', 'lifecycle', 'nps', 'survival', 'forecast', 'clv'].forEach((id) => sectionNode(id)?.appendChild(chartExport(id)));
}

function chartExport(table: string): HTMLElement {
  const line = el('div', 'chart-export');
  line.appendChild(exportLink(table));
  return line;
}

// ---- drill-down: a segment's customers ----

const FIRST_COLUMNS = ['customer_id', 'name', 'phone', 'email'];
const LAST_COLUMNS = ['rfm_segment', 'churn_risk', 'churn_tier', 'clv'];

function customerColumns(rows: Row[]): Column[] {
  const keys: string[] = [];
  rows.forEach((row) => Object.keys(row).forEach((k) => {
    if (!keys.includes(k)) keys.push(k);
  }));
  const ordered = FIRST_COLUMNS.filter((k) => keys.includes(k))
    .concat(keys.filter((k) => !FIRST_COLUMNS.includes(k) && !LAST_COLUMNS.includes(k)))
    .concat(LAST_COLUMNS.filter((k) => keys.includes(k)));
  return ordered.map((key) => ({ key, label: key, digits: key === 'churn_risk' ? 3 : key === 'clv' ? 2 : undefined }));
}

async function showCustomers(generation: number, segment: string, q = '', offset = 0): Promise<void> {
  const L = t();
  const s = state.selection;
  const params = { segment, attr: s.attr, value: s.value, q, limit: PAGE_SIZE, offset };
  const page = await api<CustomerPage>(apiUrl('/api/customers', params));
  if (!current(generation)) return;
  const main = view();
  main.replaceChildren();
  main.dataset.customers = JSON.stringify({ segment, q, offset });
  const label = state.filters?.segments.find((x) => x.key === segment)?.label ?? segment;
  const top = el('div', 'view-head');
  const back = el('a', 'back', `← ${L.overview}`);
  back.href = '#/';
  top.appendChild(back);
  top.appendChild(el('h2', undefined, segment ? L.customersOf(label) : L.allCustomers));
  main.appendChild(top);

  const search = el('form', 'search');
  const box = el('input');
  box.type = 'search';
  box.name = 'q';
  box.value = q;
  // Viewers see masked personal data, so the server searches only the customer id for them.
  box.placeholder = state.session?.user.role === 'viewer' ? L.searchMasked : L.search;
  box.setAttribute('aria-label', box.placeholder);
  search.appendChild(box);
  const go = el('button', undefined, L.find);
  go.type = 'submit';
  search.appendChild(go);
  search.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = ++state.generation;
    main.dataset.state = 'loading';
    showCustomers(next, segment, box.value.trim(), 0)
      .catch((error: unknown) => showError(main, error))
      .finally(() => {
        if (current(next)) main.dataset.state = 'ready';
      });
  });
  main.appendChild(search);

  const pager = el('div', 'pager');
  const from = page.total === 0 ? 0 : offset + 1;
  const to = offset + page.rows.length;
  const shown = el('span', 'shown', L.shown(from, to, page.total));
  shown.dataset.total = String(page.total);
  const turn = (nextOffset: number) => () => {
    const next = ++state.generation;
    main.dataset.state = 'loading';
    showCustomers(next, segment, q, nextOffset)
      .catch((error: unknown) => showError(main, error))
      .finally(() => {
        if (current(next)) main.dataset.state = 'ready';
      });
  };
  const previous = button(L.previous, 'previous', turn(Math.max(0, offset - PAGE_SIZE)));
  previous.disabled = offset === 0;
  const next = button(L.next, 'next', turn(offset + PAGE_SIZE));
  next.disabled = to >= page.total;
  pager.append(previous, shown, next);
  main.appendChild(pager);

  if (page.rows.length === 0) {
    main.appendChild(el('p', 'empty', L.noRows));
    return;
  }
  const table = dataTable('customers', customerColumns(page.rows), page.rows, (row) => {
    location.hash = `#/customer/${encodeURIComponent(String(row.customer_id))}`;
  });
  // The list has no month filter, so neither has its export.
  main.appendChild(tableBlock(L.allCustomers, 'customers', table, { segment, q, period: '' }));
}

// ---- drill-down: one customer's timeline ----

/** The row's time: its first column named like a timestamp that parses. */
function rowTime(row: Row): number | null {
  for (const [key, value] of Object.entries(row)) {
    if (!/(time|date|_at)$/.test(key) || typeof value !== 'string') continue;
    const parsed = Date.parse(value.includes('T') || value.length <= 10 ? value : value.replace(' ', 'T'));
    if (Number.isFinite(parsed)) return parsed;
  }
  return null;
}

/** One timeline point's tooltip: every column of its row (drawn on the canvas as text, never parsed as HTML). */
function rowSummary(row: Row): string {
  return Object.entries(row)
    .filter(([k]) => k !== 'customer_id')
    .map(([k, v]) => `${k}: ${cellText(v, { key: k, label: k })}`)
    .join(tooltipBreak());
}

async function showCustomer(generation: number, id: string): Promise<void> {
  const L = t();
  const data = await api<Timeline>(apiUrl(`/api/customers/${encodeURIComponent(id)}`));
  if (!current(generation)) return;
  const main = view();
  main.replaceChildren();
  main.dataset.customer = id;
  const top = el('div', 'view-head');
  const back = el('a', 'back', `← ${L.back}`);
  back.href = '#/';
  back.addEventListener('click', (event) => {
    if (history.length > 1) {
      event.preventDefault();
      history.back();
    }
  });
  top.appendChild(back);
  top.appendChild(el('h2', undefined, `${L.customer} ${id}`));
  main.appendChild(top);

  const card = el('section', 'section customer');
  const facts = el('dl', 'facts');
  Object.entries(data.customer).forEach(([k, v]) => {
    const dt = el('dt', undefined, k);
    const dd = el('dd', undefined, cellText(v, { key: k, label: k }));
    dd.dataset.field = k;
    facts.append(dt, dd);
  });
  card.appendChild(facts);
  main.appendChild(card);

  const risk = el('section', 'section risk');
  risk.appendChild(el('h2', undefined, L.risk));
  if (data.risk) {
    const line = el('p', `tier tier-${data.risk.tier}`, `${L.probability}: ${fmt(data.risk.probability * 100, 1)}% · ${L.tier}: ${data.risk.tier}`);
    risk.appendChild(line);
    const reasons = el('ul', 'sentences');
    data.risk.reasons.forEach((r) => reasons.appendChild(el('li', undefined, r)));
    risk.appendChild(el('h3', undefined, L.reasons));
    risk.appendChild(reasons);
  } else {
    risk.appendChild(el('p', 'muted', L.noRisk));
  }
  main.appendChild(risk);

  const timeline = el('section', 'section timeline');
  timeline.appendChild(el('h2', undefined, L.timeline));
  main.appendChild(timeline);
  const kinds = TIMELINE_KINDS.map((k) => L.kinds[k]);
  const series = TIMELINE_KINDS.map((kind, index) => ({
    name: L.kinds[kind],
    type: 'scatter',
    symbolSize: kind === 'orders' ? 10 : 8,
    data: (data[kind] ?? []).flatMap((row) => {
      const at = rowTime(row);
      return at === null ? [] : [{ value: [at, index], summary: rowSummary(row) }];
    }),
  }));
  chart(
    timeline,
    'timeline',
    {
      legend: { top: 0 },
      tooltip: { trigger: 'item', confine: true, formatter: (p: { data: { summary: string } }) => p.data.summary },
      grid: { left: 96, right: 24, top: 36, bottom: 56 },
      xAxis: { type: 'time', axisLabel: { formatter: '{yyyy}-{MM}' } },
      yAxis: { type: 'category', data: kinds },
      dataZoom: [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 4 }],
      series,
    },
    260,
  );
  TIMELINE_KINDS.forEach((kind) => {
    const rows = data[kind] ?? [];
    const block = el('section', 'section');
    block.dataset.kind = kind;
    if (rows.length === 0) {
      block.appendChild(el('h3', undefined, L.kinds[kind]));
      block.appendChild(el('p', 'muted', L.empty));
    } else {
      const columns = customerColumns(rows).filter((c) => c.key !== 'customer_id');
      block.appendChild(tableBlock(`${L.kinds[kind]} (${rows.length})`, null, dataTable(kind, columns, rows)));
    }
    main.appendChild(block);
  });
}

// ---- administration ----

interface Account { name?: string; username?: string; role: string; created_at?: string; disabled?: boolean }

async function showAdmin(generation: number): Promise<void> {
  const L = t();
  const main = view();
  if (state.session?.user.role !== 'admin') {
    main.replaceChildren(el('p', 'error forbidden', L.forbidden));
    return;
  }
  const [usersAnswer, audit] = await Promise.all([
    api<Account[] | { users: Account[] }>(apiUrl('/api/admin/users')),
    api<Row[] | { entries: Row[] }>(apiUrl('/api/admin/audit', { limit: 200 })),
  ]);
  if (!current(generation)) return;
  const users = Array.isArray(usersAnswer) ? usersAnswer : usersAnswer.users;
  const entries = Array.isArray(audit) ? audit : audit.entries;
  main.replaceChildren();
  main.dataset.admin = 'ready';
  const status = el('p', 'status');
  status.setAttribute('role', 'status');

  const usersSection = el('section', 'section admin-users');
  usersSection.appendChild(el('h2', undefined, L.users));
  const table = el('table', 'data');
  table.dataset.table = 'users';
  const head = el('tr');
  [L.username, L.role, L.created, ''].forEach((h) => head.appendChild(el('th', undefined, h)));
  table.appendChild(head);
  users.forEach((u) => {
    const name = u.name ?? u.username ?? '';
    const row = el('tr');
    row.dataset.user = name;
    row.appendChild(el('td', undefined, name));
    row.appendChild(el('td', undefined, L.roles[u.role] ?? u.role));
    row.appendChild(el('td', undefined, u.created_at ?? ''));
    const cell = el('td');
    if (name !== state.session?.user.name) {
      cell.appendChild(
        button(L.remove, 'remove', () => {
          if (!window.confirm(L.confirmRemove(name))) return;
          api<void>(apiUrl(`/api/admin/users/${encodeURIComponent(name)}`), { method: 'DELETE' })
            .then(() => showAdmin(++state.generation))
            .then(() => view().querySelector('.status')?.replaceChildren(L.removed(name)))
            .catch((error: unknown) => showError(status, error));
        }),
      );
    }
    row.appendChild(cell);
    table.appendChild(row);
  });
  usersSection.appendChild(table);

  const form = el('form', 'add-user');
  form.appendChild(el('h3', undefined, L.addUser));
  const username = el('input');
  username.name = 'username';
  username.autocomplete = 'off';
  username.required = true;
  const password = el('input');
  password.name = 'password';
  password.type = 'password';
  password.autocomplete = 'new-password';
  password.required = true;
  const role = select('role', ['viewer', 'analyst', 'admin'].map((r) => [r, L.roles[r]] as [string, string]), 'viewer');
  form.append(labelled(L.username, username), labelled(L.password, password), labelled(L.role, role));
  const add = el('button', 'primary', L.addUser);
  add.type = 'submit';
  form.appendChild(add);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = username.value.trim();
    api<unknown>(apiUrl('/api/admin/users'), { method: 'POST', body: JSON.stringify({ username: name, password: password.value, role: role.value }) })
      .then(() => showAdmin(++state.generation))
      .then(() => view().querySelector('.status')?.replaceChildren(L.added(name)))
      .catch((error: unknown) => {
        status.replaceChildren();
        showError(status, error);
      });
  });
  usersSection.appendChild(form);
  usersSection.appendChild(status);
  main.appendChild(usersSection);

  const auditSection = el('section', 'section admin-audit');
  auditSection.appendChild(el('h2', undefined, L.audit));
  const columns: Column[] = [
    { key: 'at', label: L.at },
    { key: 'user', label: L.user },
    { key: 'action', label: L.action },
    { key: 'detail', label: L.detail },
    { key: 'client', label: L.client },
  ];
  const scroll = el('div', 'table-scroll');
  scroll.appendChild(dataTable('audit', columns, entries));
  auditSection.appendChild(scroll);
  main.appendChild(auditSection);
}

// ---- start ----

window.addEventListener('hashchange', () => {
  if (state.session) route();
});

setLangInUrl();
api<Session>(apiUrl('/api/me'))
  .then((session) => {
    state.session = session;
    return startApp();
  })
  .catch((error: unknown) => {
    if (!(error instanceof Unauthorized)) {
      showLogin();
      showError(root(), error);
    }
  });
