import { redact } from '../redact.js';
import { STATUS_STATES, type InvalidReason, type RunRecord, type VerificationRecord } from '../ledger/ledger-reader.js';
import type { ReportData, ReportErrorGroup } from './report-data.js';

/**
 * The sections of the report page, as HTML. Every text from the ledger goes through `html`
 * (secrets redacted, then escaped); every figure is marked `data-figure` with the path of the
 * same figure in `status --json` and `data-value` with its exact value, so a test reads them back.
 */

/** Text as HTML: registered secrets replaced, then `& < > " '` escaped. */
export function html(text: string): string {
  return redact(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const numbers = new Intl.NumberFormat('en-US');

/** A figure: shown with thousands separators, its `status --json` path and exact value in attributes. */
export function figure(path: string, value: number | null | undefined, shown?: string): string {
  const text = shown ?? (value === null || value === undefined ? '–' : numbers.format(value));
  return `<span data-figure="${html(path)}" data-value="${value ?? ''}">${html(text)}</span>`;
}

/** `file:line`, and the key when the row had one. */
function place(row: { file: string | null; line: number | null; key: string | null }): string {
  const at = row.file === null ? '' : `<code>${html(row.file)}${row.line === null ? '' : `:${row.line}`}</code>`;
  return row.key === null ? `${at} (no key)` : `${at} key <code>${html(row.key)}</code>`;
}

/** Conversations and thread messages per state. */
export function totalsSection(data: ReportData): string {
  const cells = STATUS_STATES.map((state) => `<div class="tile ${state}"><b>${figure(`counts.${state}`, data.counts[state])}</b>${state}</div>`);
  const messages = data.messages && Object.values(data.messages).some((n) => n > 0)
    ? `<h3>Thread messages</h3><div class="tiles">${Object.entries(data.messages)
      .map(([state, n]) => `<div class="tile ${state}"><b>${figure(`messages.${state}`, n)}</b>${state.replace('_', ' ')}</div>`).join('')}</div>`
    : '';
  return `<section id="totals"><h2>Conversations</h2><div class="tiles">${cells.join('')}</div>${messages}</section>`;
}

/** One line per run: start, duration, exit code, rate, requests seen, counts. */
export function runsSection(data: ReportData): string {
  if (data.runs.length === 0) return '<section id="runs"><h2>Runs</h2><p>No run yet.</p></section>';
  const requests = new Map<number, number>();
  for (const minute of data.minutes) requests.set(minute.runId, (requests.get(minute.runId) ?? 0) + minute.requests);
  const rows = data.runs.map((run, i) => runRow(run, i, requests.get(run.id)));
  const learned = data.learnedRate === undefined ? 'none yet' : `${figure('learned_rate', data.learnedRate, data.learnedRate.toFixed(2))} requests/s`;
  return `<section id="runs"><h2>Runs</h2><table><thead><tr><th>#</th><th>started (UTC)</th><th>duration</th><th>exit</th>
<th title="requests per second the run ended with">rate</th><th title="answers received, from the per-minute record">requests</th><th>counts</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table><p>Learned rate (the next run starts at it): ${learned}.</p></section>`;
}

function runRow(run: RunRecord, i: number, requests: number | undefined): string {
  const duration = run.durationSeconds === null ? 'no end recorded' : formatDuration(run.durationSeconds);
  const rate = run.learnedRate === null ? '–' : `${run.learnedRate.toFixed(2)}/s`;
  const counts = Object.entries(run.counts ?? {})
    .filter((entry): entry is [string, number] => typeof entry[1] === 'number' && (entry[1] !== 0 || entry[0] === 'rows'))
    .map(([name, n]) => `${html(name)} ${figure(`runs.${i}.counts.${name}`, n)}`);
  return `<tr data-run="${run.id}"><td>${figure(`runs.${i}.id`, run.id)}</td><td>${html(run.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))}</td>
<td>${figure(`runs.${i}.duration_seconds`, run.durationSeconds, duration)}</td><td>${figure(`runs.${i}.exit_code`, run.exitCode)}</td>
<td>${figure(`runs.${i}.learned_rate`, run.learnedRate, rate)}</td><td>${requests === undefined ? '–' : html(numbers.format(requests))}</td><td>${counts.join(', ')}</td></tr>`;
}

/** The chart's box and data, or why there is none. */
export function chartSection(data: ReportData, json: string): string {
  const none = data.minutes.length === 0
    ? '<p>No requests recorded per minute: no run sent anything yet, or the ledger was written by a release from before they were kept.</p>'
    : '';
  const throttled = data.minutes.reduce((sum, minute) => sum + minute.throttled, 0);
  const requests = data.minutes.reduce((sum, minute) => sum + minute.requests, 0);
  const totals = none ? '' : `<p>${html(numbers.format(requests))} answers from the API, ${html(numbers.format(throttled))} of them 429 (too many requests): the importer slowed down and sent those again.</p>`;
  return `<section id="requests"><h2>Requests per minute</h2>${none}${totals}<div id="chart" data-minutes="${data.minutes.length}"></div>
<script type="application/json" id="chart-data">${json}</script></section>`;
}

/** The commonest errors with counts and their first rows. */
export function errorsSection(groups: readonly ReportErrorGroup[]): string {
  if (groups.length === 0) return '<section id="errors"><h2>Most common errors</h2><p>None: every row read made it, or is still to send.</p></section>';
  const items = groups.map((group, i) => `<tr><td class="n">${figure(`top_errors.${i}.count`, group.count)}</td><td>${group.code ? `<code>${html(group.code)}</code> ` : ''}${html(group.error)}
<ul class="examples">${group.examples.map((example) => `<li>${place(example)}</li>`).join('')}</ul></td></tr>`);
  return `<section id="errors"><h2>Most common errors</h2><table><thead><tr><th>rows</th><th>error (and the first rows, file:line)</th></tr></thead><tbody>${items.join('\n')}</tbody></table></section>`;
}

/** Invalid rows by reason (values blanked: `"…"`, `N`). */
export function invalidSection(reasons: readonly InvalidReason[]): string {
  if (reasons.length === 0) return '<section id="invalid"><h2>Invalid rows by reason</h2><p>No invalid row.</p></section>';
  const items = reasons.map((reason) => `<tr><td class="n">${html(numbers.format(reason.count))}</td><td>${reason.code ? `<code>${html(reason.code)}</code> ` : ''}${html(reason.reason)}
<ul class="examples">${reason.examples.map((example) => `<li>${place(example)}</li>`).join('')}</ul></td></tr>`);
  return `<section id="invalid"><h2>Invalid rows by reason</h2><table><thead><tr><th>rows</th><th>reason (and the first rows)</th></tr></thead><tbody>${items.join('\n')}</tbody></table></section>`;
}

/** What the latest `verify` found, or nothing when none was run. */
export function verifySection(verification: VerificationRecord | undefined): string {
  if (verification === undefined) return '';
  const v = verification;
  const how = v.mode === 'sample' ? `a random sample of ${html(numbers.format(v.sampleSize ?? v.checked))} of ${html(numbers.format(v.population))} done conversations${v.seed ? ` (seed <code>${html(v.seed)}</code>)` : ''}` : `all ${html(numbers.format(v.population))} done conversations`;
  const state = v.complete ? 'complete' : 'not complete (stopped, or still going on: run verify again to go on)';
  const kinds = Object.entries(v.counts).map(([kind, n]) => `<li>${html(kind.replace(/_/g, ' '))}: <span data-verify-kind="${html(kind)}">${html(numbers.format(n))}</span></li>`).join('');
  const rows = v.mismatches.map((m) => `<tr><td>${place(m)}</td><td>${m.slug ? `<code>${html(m.slug)}</code>` : '–'}</td><td>${html(m.kind)}</td><td>${html(m.detail)}</td></tr>`);
  const list = rows.length === 0 ? '' : `<table><thead><tr><th>row</th><th>slug</th><th>kind</th><th>what differs</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>${v.mismatched > rows.length ? `<p>The first ${rows.length} of ${html(numbers.format(v.mismatched))}.</p>` : ''}`;
  return `<section id="verify"><h2>Verification against Re:amaze</h2><p>Started ${html(v.startedAt)} on ${how}: ${state}.</p>
<p class="verdict ${v.mismatched === 0 ? 'ok' : 'bad'}"><span data-verify="checked">${html(numbers.format(v.checked))}</span> checked, <span data-verify="mismatched">${html(numbers.format(v.mismatched))}</span> with a mismatch.</p>
${kinds ? `<ul>${kinds}</ul>` : ''}${list}</section>`;
}

function formatDuration(seconds: number): string {
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
