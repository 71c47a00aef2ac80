// Renders a ReportData into a container: headline cards, then one section per
// view with its sentence and charts. Shared by the HTML report and the
// dashboard (which fetches the same JSON from the server).

import * as echarts from 'echarts/core';
import { BarChart, HeatmapChart, LineChart, SankeyChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { EChartsCoreOption } from 'echarts/core';

import { LABELS, Labels } from './i18n';
import type { Kpi, ReportData } from './types';

echarts.use([BarChart, HeatmapChart, LineChart, SankeyChart, DataZoomComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

/** Every chart drawn, so they can be resized (window, print) and inspected by tests. */
export const charts: echarts.ECharts[] = [];

/** Creates an element with an optional class and text (shared with the dashboard). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Formats a number in the browser's locale with `digits` decimals; '–' when missing (shared with the dashboard). */
export function fmt(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !isFinite(value)) return '–';
  return value.toLocaleString(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

const zoom = [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 4 }];

function section(root: HTMLElement, id: string, title: string, summary: string): HTMLElement {
  const node = el('section', 'section');
  node.id = `section-${id}`;
  node.appendChild(el('h2', undefined, title));
  node.appendChild(el('p', 'summary', summary));
  root.appendChild(node);
  return node;
}

// The report (a file, no Content-Security-Policy) draws tooltips as HTML; the dashboard has them drawn on the
// canvas, so they also work under a policy such as `default-src 'self'` that refuses the inline styles in ECharts' tooltip HTML.
let tooltipMode: 'html' | 'richText' = 'html';

/** Draws every later chart's tooltips on the canvas ('richText') or as HTML (the default). */
export function setTooltipMode(mode: 'html' | 'richText'): void {
  tooltipMode = mode;
}

/** The line break inside a tooltip formatter's text, for the current tooltip mode. */
export function tooltipBreak(): string {
  return tooltipMode === 'html' ? '<br>' : '\n';
}

/** `text` from the data made safe inside a tooltip formatter's output: escaped when tooltips are HTML. */
export function tooltipText(text: string): string {
  if (tooltipMode !== 'html') return text;
  const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  return text.replace(/[&<>"']/g, (c) => entities[c]);
}

/** Draws one chart into a new box under `parent`, tagged `data-chart=name` (shared with the dashboard). */
export function chart(parent: HTMLElement, name: string, option: EChartsCoreOption, height = 340): void {
  const box = el('div', 'chart');
  box.dataset.chart = name;
  box.style.height = `${height}px`;
  parent.appendChild(box);
  const instance = echarts.init(box, undefined, { renderer: 'canvas' });
  const tooltip = { trigger: 'axis', confine: true, ...(option.tooltip as object | undefined), renderMode: tooltipMode };
  instance.setOption({ animation: false, ...option, tooltip });
  charts.push(instance);
}

/** Removes every chart drawn so far: the dashboard redraws the report on each filter change. */
export function disposeCharts(): void {
  charts.splice(0).forEach((c) => c.dispose());
}

// Registered once, however often the dashboard redraws.
let resizing = false;
function resizeWithWindow(): void {
  if (resizing) return;
  resizing = true;
  resizeWithWindow();
}

function kpiCard(kpi: Kpi, t: Labels, previous: string | null): HTMLElement {
  const card = el('div', 'kpi');
  card.dataset.kpi = kpi.key;
  card.appendChild(el('div', 'kpi-label', t.kpi[kpi.key]));
  const percent = kpi.key === 'churn_rate' || kpi.key === 'retention_rate';
  const digits = kpi.key === 'active_customers' || kpi.key === 'revenue_lost' || kpi.key === 'average_clv' ? 0 : 1;
  card.appendChild(el('div', 'kpi-value', fmt(kpi.value, digits) + (percent && kpi.value !== null ? '%' : '')));
  if (kpi.change !== null) {
    const good = kpi.change === 0 ? 'flat' : (kpi.change > 0) === kpi.higher_is_better ? 'good' : 'bad';
    const arrow = kpi.change > 0 ? '▲' : kpi.change < 0 ? '▼' : '＝';
    const unit = percent ? ` ${t.points}` : '';
    card.appendChild(el('div', `kpi-change ${good}`, `${arrow} ${fmt(Math.abs(kpi.change), digits)}${unit} ${t.vsPrevious} ${previous ?? ''}`));
  }
  return card;
}

/** Draws the report into `root`. */
export function renderReport(data: ReportData, root: HTMLElement): void {
  const t = LABELS[data.lang] ?? LABELS.en;
  const s = t.series;
  document.title = `${t.title} · ${data.workspace}`;
  const header = el('header', 'header');
  header.appendChild(el('h1', undefined, t.title));
  header.appendChild(el('p', 'meta', `${t.workspace}: ${data.workspace} · ${t.period}: ${data.period ?? '–'} · ${t.asOf}: ${data.as_of ?? '–'}`));
  root.appendChild(header);
  const cards = el('div', 'kpis');
  data.kpis.forEach((k) => cards.appendChild(kpiCard(k, t, data.previous_period)));
  root.appendChild(cards);

  if (data.trend) {
    const d = data.trend;
    const node = section(root, 'trend', t.sections.trend, d.summary);
    chart(node, 'trend', {
      legend: { top: 0 },
      grid: { left: 56, right: 64, top: 36, bottom: 56 },
      xAxis: { type: 'category', data: d.periods },
      yAxis: [{ type: 'value', name: '%' }, { type: 'value', name: s.active, splitLine: { show: false } }],
      dataZoom: zoom,
      series: [
        { name: s.churn, type: 'line', data: d.churn_rate, smooth: false },
        { name: s.retention, type: 'line', data: d.retention_rate },
        { name: s.active, type: 'bar', yAxisIndex: 1, data: d.active, itemStyle: { opacity: 0.35 } },
      ],
    });
  }
  if (data.revenue_lost) {
    const d = data.revenue_lost;
    const node = section(root, 'revenue_lost', t.sections.revenue_lost, d.summary);
    chart(node, 'revenue_lost', {
      legend: { top: 0 },
      grid: { left: 72, right: 64, top: 36, bottom: 56 },
      xAxis: { type: 'category', data: d.periods },
      yAxis: [{ type: 'value', name: s.revenueLost }, { type: 'value', name: s.churned, splitLine: { show: false } }],
      dataZoom: zoom,
      series: [
        { name: s.revenueLost, type: 'bar', data: d.revenue_lost.map((v) => Math.round(v)) },
        { name: s.churned, type: 'line', yAxisIndex: 1, data: d.churned },
      ],
    });
  }
  if (data.cohorts) {
    const d = data.cohorts;
    const node = section(root, 'cohorts', t.sections.cohorts, d.summary);
    const offsets = Array.from({ length: d.max_offset + 1 }, (_, i) => String(i));
    chart(
      node,
      'cohorts',
      {
        tooltip: {
          trigger: 'item',
          formatter: (p: { value: [number, number, number] }) => `${s.cohort} ${d.cohorts[p.value[1]]} (${d.sizes[p.value[1]]})${tooltipBreak()}+${p.value[0]}: ${fmt(p.value[2])}%`,
        },
        grid: { left: 72, right: 24, top: 16, bottom: 72 },
        xAxis: { type: 'category', data: offsets, name: s.monthsSince, nameLocation: 'middle', nameGap: 28 },
        yAxis: { type: 'category', data: d.cohorts, inverse: true },
        visualMap: { min: 0, max: 100, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120, text: ['100%', '0%'] },
        // Month 0 is 100% by definition and would flatten the colour scale.
        series: [{ name: s.retentionCell, type: 'heatmap', data: d.cells.filter((c) => c[0] > 0).map((c) => [c[0], c[1], Math.round(c[2] * 10) / 10]) }],
      },
      Math.max(360, 14 * d.cohorts.length + 100),
    );
  }
  if (data.lifecycle) {
    const d = data.lifecycle;
    const node = section(root, 'lifecycle', t.sections.lifecycle, d.summary);
    chart(node, 'lifecycle', {
      legend: { top: 0 },
      grid: { left: 64, right: 24, top: 36, bottom: 56 },
      xAxis: { type: 'category', data: d.periods },
      yAxis: { type: 'value', name: s.customers },
      dataZoom: zoom,
      series: d.stages.map((name, i) => ({ name, type: 'bar', stack: 'stages', data: d.counts[i] })),
    });
    if (d.flows.length > 0) {
      node.appendChild(el('h3', undefined, t.sections.flows));
      const before = (i: number) => `${d.stages[i]} · ${s.previous}`;
      const after = (i: number) => `${d.stages[i]} · ${s.last}`;
      const names = new Set<string>();
      d.flows.forEach(([a, b]) => { names.add(before(a)); names.add(after(b)); });
      chart(node, 'lifecycle_flows', {
        tooltip: { trigger: 'item' },
        series: [{
          type: 'sankey', left: 8, right: 120, emphasis: { focus: 'adjacency' },
          data: Array.from(names).map((name) => ({ name })),
          links: d.flows.map(([a, b, n]) => ({ source: before(a), target: after(b), value: n })),
        }],
      });
    }
  }
  if (data.nps) {
    const d = data.nps;
    const node = section(root, 'nps', t.sections.nps, d.summary);
    chart(node, 'nps', {
      legend: { top: 0 },
      grid: { left: 56, right: 64, top: 36, bottom: 56 },
      xAxis: { type: 'category', data: d.periods },
      yAxis: [{ type: 'value', name: s.nps }, { type: 'value', name: s.responses, splitLine: { show: false } }],
      dataZoom: zoom,
      series: [
        { name: s.nps, type: 'line', data: d.nps.map((v) => (v === null ? null : Math.round(v * 10) / 10)) },
        { name: s.responses, type: 'bar', yAxisIndex: 1, data: d.responses, itemStyle: { opacity: 0.35 } },
      ],
    });
  }
  if (data.segments) {
    const d = data.segments;
    const node = section(root, 'segments', t.sections.segments, d.summary);
    chart(node, 'segments', {
      legend: { top: 0 },
      grid: { left: 64, right: 64, top: 36, bottom: 80 },
      xAxis: { type: 'category', data: d.segments.map((x) => x.name), axisLabel: { interval: 0, rotate: 20 } },
      yAxis: [{ type: 'value', name: s.customers }, { type: 'value', name: s.churnRate, max: 100, splitLine: { show: false } }],
      series: [
        { name: s.customers, type: 'bar', data: d.segments.map((x) => x.customers) },
        { name: s.churnRate, type: 'line', yAxisIndex: 1, data: d.segments.map((x) => Math.round(x.churn_rate * 10) / 10) },
      ],
    });
  }
  if (data.drivers) {
    const d = data.drivers;
    const node = section(root, 'drivers', t.sections.drivers, d.summary);
    const rows = d.drivers.slice().reverse();
    chart(node, 'drivers', {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 140, right: 32, top: 16, bottom: 32 },
      xAxis: { type: 'value', name: s.cramersV },
      yAxis: { type: 'category', data: rows.map((x) => x.attribute) },
      series: [{ name: s.cramersV, type: 'bar', data: rows.map((x) => (x.cramers_v === null ? 0 : Math.round(x.cramers_v * 10000) / 10000)) }],
    }, Math.max(240, 32 * rows.length + 60));
    const list = el('ul', 'sentences');
    d.drivers.forEach((x) => { if (x.sentence) list.appendChild(el('li', undefined, x.sentence)); });
    node.appendChild(list);
  }
  if (data.survival) {
    const d = data.survival;
    const node = section(root, 'survival', t.sections.survival, d.summary);
    chart(node, 'survival', {
      legend: { top: 0, type: 'scroll' },
      grid: { left: 56, right: 24, top: 40, bottom: 56 },
      xAxis: { type: 'category', data: d.months.map(String), name: s.monthsSince, nameLocation: 'middle', nameGap: 28 },
      yAxis: { type: 'value', name: s.survival, min: 0, max: 100 },
      dataZoom: zoom,
      series: d.curves.map((c, i) => ({
        name: `${c.group} (${c.customers})`, type: 'line', step: 'end', showSymbol: false,
        lineStyle: { width: i === 0 ? 3 : 1.5 }, data: c.survival.map((v) => Math.round(v * 100) / 100),
      })),
    });
  }
  if (data.forecast) {
    const d = data.forecast;
    const node = section(root, 'forecast', t.sections.forecast, d.summary);
    const n = d.history.length;
    const pad = (values: number[]) => Array<number | null>(n).fill(null).concat(values.map((v) => Math.round(v)));
    const band = (name: string, low: number[], high: number[], opacity: number) => [
      { name, type: 'line', stack: name, data: pad(low), lineStyle: { opacity: 0 }, showSymbol: false },
      { name, type: 'line', stack: name, data: pad(high.map((h, i) => h - low[i])), lineStyle: { opacity: 0 }, showSymbol: false, areaStyle: { opacity } },
    ];
    chart(node, 'forecast', {
      legend: { top: 0, data: [s.history, s.forecast, s.i80, s.i95] },
      tooltip: { trigger: 'axis', confine: true },
      grid: { left: 64, right: 24, top: 36, bottom: 56 },
      xAxis: { type: 'category', data: d.history_periods.concat(d.periods) },
      yAxis: { type: 'value', name: s.active },
      dataZoom: zoom,
      series: [
        { name: s.history, type: 'line', data: d.history.map((v) => Math.round(v)) },
        { name: s.forecast, type: 'line', lineStyle: { type: 'dashed' }, data: pad(d.point) },
        ...band(s.i95, d.lower_95, d.upper_95, 0.15),
        ...band(s.i80, d.lower_80, d.upper_80, 0.3),
      ],
    });
  }
  if (data.clv) {
    const d = data.clv;
    const node = section(root, 'clv', t.sections.clv, d.summary);
    chart(node, 'clv', {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 64, right: 24, top: 16, bottom: 64 },
      xAxis: { type: 'category', data: d.bins.map((b, i) => (i === d.bins.length - 1 ? `≥ ${fmt(b.lower, 0)}` : `${fmt(b.lower, 0)}–${fmt(b.upper, 0)}`)), axisLabel: { rotate: 30 }, name: s.clv },
      yAxis: { type: 'value', name: s.customers },
      series: [{ name: s.customers, type: 'bar', data: d.bins.map((b) => b.customers) }],
    });
  }
  if (data.churn_model) {
    const d = data.churn_model;
    const node = section(root, 'churn_model', t.sections.churn_model, d.summary);
    const round = (v: number | null, digits = 3) => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);
    const names = d.models.map((m) => (m.default ? `${m.name} ★` : m.name));
    const withBaseline = d.models.some((m) => m.baseline_auc !== null);
    chart(node, 'model_comparison', {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 0 },
      grid: { left: 120, right: 32, top: 32, bottom: 32 },
      xAxis: { type: 'value', name: s.auc, min: 0.5, max: 1 },
      yAxis: { type: 'category', data: names },
      series: [
        { name: s.auc, type: 'bar', data: d.models.map((m) => round(m.auc)) },
        ...(withBaseline ? [{ name: s.baseline, type: 'bar', data: d.models.map((m) => round(m.baseline_auc)) }] : []),
      ],
    }, Math.max(200, 48 * d.models.length + 80));
    const comparison = el('table', 'models');
    const head = el('tr');
    [s.model, s.algorithm, s.auc, s.prAuc, s.logLoss, s.brier, s.f1, s.rows].forEach((h) => head.appendChild(el('th', undefined, h)));
    comparison.appendChild(head);
    d.models.forEach((m, i) => {
      const row = el('tr');
      row.appendChild(el('td', undefined, names[i]));
      row.appendChild(el('td', undefined, m.algorithm));
      [m.auc, m.pr_auc, m.log_loss, m.brier, m.f1].forEach((v) => row.appendChild(el('td', 'number', fmt(v, 3))));
      row.appendChild(el('td', 'number', fmt(m.rows, 0)));
      comparison.appendChild(row);
    });
    node.appendChild(comparison);

    node.appendChild(el('h3', undefined, t.sections.roc));
    node.appendChild(el('p', 'summary', d.curves_summary));
    chart(node, 'roc', {
      legend: { top: 0 },
      grid: { left: 56, right: 24, top: 36, bottom: 48 },
      xAxis: { type: 'value', name: s.fpr, min: 0, max: 1, nameLocation: 'middle', nameGap: 28 },
      yAxis: { type: 'value', name: s.tpr, min: 0, max: 1 },
      series: [
        { name: `${d.model} (AUC ${fmt(d.curve_auc, 3)})`, type: 'line', showSymbol: false, data: d.roc.map(([x, y]) => [round(x, 4), round(y, 4)]) },
        { name: s.chance, type: 'line', showSymbol: false, lineStyle: { type: 'dashed', opacity: 0.5 }, data: [[0, 0], [1, 1]] },
      ],
    });
    if (d.gains.length > 0) {
      node.appendChild(el('h3', undefined, t.sections.lift));
      chart(node, 'gains', {
        legend: { top: 0 },
        grid: { left: 56, right: 56, top: 36, bottom: 48 },
        xAxis: { type: 'category', data: d.gains.map((g) => String(g.decile)), name: s.decile, nameLocation: 'middle', nameGap: 28 },
        yAxis: [{ type: 'value', name: s.gain, min: 0, max: 100 }, { type: 'value', name: s.lift, splitLine: { show: false } }],
        series: [
          { name: s.gain, type: 'line', data: d.gains.map((g) => round(g.cumulative_gain, 1)) },
          { name: s.lift, type: 'bar', yAxisIndex: 1, data: d.gains.map((g) => round(g.lift, 2)), itemStyle: { opacity: 0.5 } },
          { name: s.cumulativeLift, type: 'line', yAxisIndex: 1, lineStyle: { type: 'dashed' }, data: d.gains.map((g) => round(g.cumulative_lift, 2)) },
        ],
      });
    }
    if (d.importance.length > 0) {
      node.appendChild(el('h3', undefined, t.sections.importance));
      node.appendChild(el('p', 'summary', d.importance_summary));
      const rows = d.importance.slice().reverse();
      chart(node, 'importance', {
        tooltip: {
          trigger: 'axis',
          axisPointer: { type: 'shadow' },
          formatter: (points: { dataIndex: number }[]) => {
            const x = rows[points[0].dataIndex];
            const lines = [`${x.feature} · ${x.kind}`, ...x.correlated.map((c) => `+ ${c}`), `${s.aucDrop}: ${round(x.auc_drop, 4)}`];
            return lines.map(tooltipText).join(tooltipBreak());
          },
        },
        grid: { left: 250, right: 32, top: 16, bottom: 32 },
        xAxis: { type: 'value', name: s.aucDrop },
        // "+N": correlated features shuffled with it (the summary says so); the tooltip names them.
        yAxis: { type: 'category', data: rows.map((x) => `${x.feature}${x.correlated.length > 0 ? ` (+${x.correlated.length})` : ''} · ${x.kind}`) },
        // Drivers in the first palette colour, warning signs in grey.
        series: [{
          name: s.aucDrop,
          type: 'bar',
          data: rows.map((x) => ({ value: round(x.auc_drop, 4), itemStyle: { color: x.driver ? '#5470c6' : '#b0b7c3' } })),
        }],
      }, Math.max(240, 28 * rows.length + 60));
    }
    node.appendChild(el('h3', undefined, t.sections.at_risk));
    node.appendChild(el('p', 'summary', d.at_risk_summary));
    const table = el('table', 'at-risk');
    const header = el('tr');
    [s.customer, s.probability, s.tier, s.reasons, s.actionable].forEach((h) => header.appendChild(el('th', undefined, h)));
    table.appendChild(header);
    d.at_risk.forEach((c) => {
      const row = el('tr');
      row.appendChild(el('td', undefined, c.customer_id));
      row.appendChild(el('td', 'number', fmt(c.probability)));
      row.appendChild(el('td', undefined, c.tier));
      row.appendChild(el('td', undefined, c.reasons.join(data.lang === 'zh' ? '；' : '; ')));
      row.appendChild(el('td', undefined, c.drivers.join(data.lang === 'zh' ? '；' : '; ')));
      table.appendChild(row);
    });
    node.appendChild(table);
  }
  if (data.notes.length > 0) {
    const node = el('section', 'section notes');
    node.appendChild(el('h2', undefined, t.notes));
    const list = el('ul');
    data.notes.forEach((n) => list.appendChild(el('li', undefined, n.text)));
    node.appendChild(list);
    root.appendChild(node);
  }
  resizeWithWindow();
}
