// Entry point of the HTML report: reads the inlined JSON and draws it.

import { charts, renderReport } from './charts';
import type { ReportData } from './types';

declare global {
  interface Window {
    /** The charts drawn, for the end-to-end test to inspect. */
    churnlensCharts: typeof charts;
  }
}

const source = document.getElementById('churnlens-data');
const root = document.getElementById('app');
if (source && root) {
  renderReport(JSON.parse(source.textContent ?? '{}') as ReportData, root);
  window.churnlensCharts = charts;
}
