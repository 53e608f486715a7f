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
 * or the page for printing changes width). Times are shown in UTC, as the ledger keeps them (x is
 * plain seconds with ticks on whole minutes: one run of a minute is one bar, not a squeezed time axis).
 */
export const CHART_SCRIPT = `(function () {
  var box = document.getElementById('chart');
  var source = document.getElementById('chart-data');
  if (!box || !source || typeof uPlot === 'undefined') return;
  var d = JSON.parse(source.textContent);
  if (d.minutes.length === 0) return;
  var pad = function (n) { return (n < 10 ? '0' : '') + n; };
  var bars = uPlot.paths.bars({ size: [0.8, 48], align: 0 });
  var hhmm = function (t) { var date = new Date(t * 1000); return pad(date.getUTCHours()) + ':' + pad(date.getUTCMinutes()); };
  var opts = {
    width: Math.max(box.clientWidth, 300), height: 260,
    // A minute of room each side: a run of one minute is one bar, not a line squeezed to a point.
    scales: { x: { time: false, range: function (u, min, max) { return [min - 60, max + 60]; } }, y: { range: function (u, min, max) { return [0, Math.max(max, 1) * 1.1]; } } },
    axes: [{ incrs: [60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400], values: function (u, ticks) { return ticks.map(hhmm); } }, { label: 'answers per minute', size: 60 }],
    series: [
      { label: 'minute (UTC)', value: function (u, t) { return t == null ? '' : hhmm(t); } },
      // Bars: each is one minute's count; the 429s (a part of the requests) are drawn over them.
      { label: 'requests', stroke: '#2563eb', fill: 'rgba(37,99,235,0.35)', width: 1, paths: bars, points: { show: false } },
      { label: '429s', stroke: '#dc2626', fill: 'rgba(220,38,38,0.75)', width: 1, paths: bars, points: { show: false } },
      { label: 'failures', stroke: '#7e22ce', width: 2, dash: [6, 4], points: { show: true, size: 5 } }
    ]
  };
  var chart = new uPlot(opts, [d.minutes, d.requests, d.throttled, d.failures], box);
  var fit = function () { chart.setSize({ width: Math.max(box.clientWidth, 300), height: 260 }); };
  window.addEventListener('resize', fit);
  window.addEventListener('beforeprint', fit);
})();`;
