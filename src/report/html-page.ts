import { chartJson, CHART_SCRIPT, loadChartAssets, scriptText } from './chart.js';
import { chartSection, errorsSection, html, invalidSection, runsSection, totalsSection, verifySection } from './html-sections.js';
import { toChartSeries, type ReportData } from './report-data.js';

/**
 * The report as one self-contained HTML page: its styles, uPlot and the chart's data inlined, no
 * URL loaded, so it opens offline and can be mailed. Sized for a laptop screen; prints on A4 or
 * Letter (print CSS: no shadows, sections kept whole where they fit).
 */

const STYLE = `
:root { --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --ok: #15803d; --bad: #b91c1c; --warn: #b45309; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f9fafb; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 48px; }
header h1 { margin: 0 0 4px; font-size: 24px; }
header p { margin: 0; color: var(--muted); }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin-top: 18px; }
h2 { margin: 0 0 12px; font-size: 18px; }
h3 { margin: 16px 0 8px; font-size: 15px; color: var(--muted); }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(110px, 1fr)); gap: 10px; }
.tile { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; color: var(--muted); font-size: 13px; }
.tile b { display: block; font-size: 22px; color: var(--ink); font-variant-numeric: tabular-nums; }
.tile.done b { color: var(--ok); } .tile.rejected b, .tile.failed b { color: var(--bad); } .tile.invalid b, .tile.uncertain b { color: var(--warn); }
table { width: 100%; border-collapse: collapse; font-size: 14px; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
th { color: var(--muted); font-weight: 600; font-size: 13px; }
td.n, td [data-figure] { font-variant-numeric: tabular-nums; }
td.n { text-align: right; width: 5em; font-weight: 600; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, monospace; overflow-wrap: anywhere; }
ul.examples { margin: 4px 0 0; padding-left: 18px; color: var(--muted); font-size: 13px; }
.verdict { font-size: 17px; font-weight: 600; } .verdict.ok { color: var(--ok); } .verdict.bad { color: var(--bad); }
#chart { min-height: 20px; }
footer { margin-top: 18px; color: var(--muted); font-size: 12px; }
@media print {
  body { background: #fff; font-size: 11pt; }
  main { max-width: none; padding: 0; }
  section { border: none; border-top: 1px solid #999; border-radius: 0; padding: 10px 0; break-inside: avoid; }
  table { font-size: 9.5pt; } tr { break-inside: avoid; }
  .u-legend { font-size: 9pt; }
}
@page { margin: 14mm; }
`;

/** The whole page for `data`. */
export function renderReportPage(data: ReportData): string {
  const chart = loadChartAssets();
  const sections = [
    totalsSection(data),
    runsSection(data),
    chartSection(data, chartJson(toChartSeries(data.minutes))),
    errorsSection(data.topErrors),
    invalidSection(data.invalid),
    verifySection(data.verification),
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Import report: ${html(baseName(data.ledger))}</title>
<style>${scriptText(chart.css)}${STYLE}</style>
</head>
<body>
<main>
<header><h1>Import into Re:amaze: report</h1><p>Ledger <code>${html(data.ledger)}</code> · written ${html(data.generatedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))}</p></header>
${sections.filter(Boolean).join('\n')}
<footer>Written by reamaze-import report. Counts as <code>reamaze-import status --json</code> gives them; message bodies and credentials are never included.</footer>
</main>
<script>${scriptText(chart.script)}</script>
<script>${CHART_SCRIPT}</script>
</body>
</html>
`;
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}
