import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ChartSeries } from './report-data.js';

/**
 * The requests-over-time chart: uPlot (MIT, ~50 KB minified, no dependencies, canvas) inlined into
 * the page from node_modules, so the report opens without a network. uPlot is read in this file only.
 */

/** uPlot's script and style sheet, as text to inline. */
export interface ChartAssets {
  script: string;
  css: string;
}

let assets: ChartAssets | undefined;

/** uPlot's minified script and CSS, read once from the installed package. */
export function loadChartAssets(): ChartAssets {
  if (assets === undefined) {
    const require = createRequire(import.meta.url);
    const dist = (name: string) => readFileSync(require.resolve(`uplot/dist/${name}`), 'utf8');
    assets = { script: dist('uPlot.iife.min.js'), css: dist('uPlot.min.css') };
  }
  return assets;
}

/** Text safe inside a `<script>` element: no `</script>` or `<!--` can end or confuse it. */
export function scriptText(text: string): string {
  return text.replace(/<(?=\/script|!--)/gi, '\\u003c');
}

/** The chart's data as JSON for a `<script type="application/json">` element. */
export function chartJson(series: ChartSeries): string {
  return JSON.stringify(series).replace(/</g, '\\u003c');
}

/**
 * Draws the chart from `#chart-data` into `#chart` at the width of its box (again when the window
 * or the page for printing changes width). Times are shown in UTC, as the ledger keeps them.
 */
export const CHART_SCRIPT = `(function () {
  var box = document.getElementById('chart');
  var source = document.getElementById('chart-data');
  if (!box || !source || typeof uPlot === 'undefined') return;
  var d = JSON.parse(source.textContent);
  if (d.minutes.length === 0) return;
  var pad = function (n) { return (n < 10 ? '0' : '') + n; };
  var hhmm = function (t) { var date = new Date(t * 1000); return pad(date.getUTCHours()) + ':' + pad(date.getUTCMinutes()); };
  var opts = {
    width: Math.max(box.clientWidth, 300), height: 260, tzDate: function (t) { return uPlot.tzDate(new Date(t * 1e3), 'Etc/UTC'); },
    scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(max, 1) * 1.1]; } } },
    axes: [{ values: function (u, ticks) { return ticks.map(hhmm); } }, { label: 'per minute', size: 60 }],
    series: [
      { label: 'minute (UTC)', value: function (u, t) { return t == null ? '' : hhmm(t); } },
      { label: 'requests', stroke: '#2563eb', fill: 'rgba(37,99,235,0.08)', width: 2, points: { show: d.minutes.length < 40 } },
      { label: '429s', stroke: '#dc2626', width: 2, points: { show: d.minutes.length < 40 } },
      { label: 'failures', stroke: '#9333ea', width: 1.5, dash: [6, 4], points: { show: false } }
    ]
  };
  var chart = new uPlot(opts, [d.minutes, d.requests, d.throttled, d.failures], box);
  var fit = function () { chart.setSize({ width: Math.max(box.clientWidth, 300), height: 260 }); };
  window.addEventListener('resize', fit);
  window.addEventListener('beforeprint', fit);
})();`;
