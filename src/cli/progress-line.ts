import type { SendingProgress } from '../pipeline/progress.js';

/** Columns when the terminal does not say. */
export const DEFAULT_COLUMNS = 80;

const formatCount = (value: number) => value.toLocaleString('en-US');

/** Seconds as a person reads a time left: `45s`, `3m05s`, `2h07m`; `-` while there is no pace yet. */
export function formatEta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '-';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The time left: the tickets still to send at the pace of the last minute. */
export function secondsLeft(progress: SendingProgress): number | undefined {
  const left = Math.max(0, progress.toSend - progress.sent);
  if (left === 0) return 0;
  return progress.ticketsPerSecond > 0 ? left / progress.ticketsPerSecond : undefined;
}

/**
 * `run`'s progress line, never wider than the terminal: tickets sent of those to send (`~` while
 * estimated), failed and invalid, the request rate, the time left, a note while a 429 holds the
 * rate down, then a bar in the room that is left. What matters most comes first, so a narrow
 * terminal loses the bar, then the time left, never the failures.
 */
export function formatSendLine(progress: SendingProgress, columns = DEFAULT_COLUMNS): string {
  const width = Math.max(20, columns - 1);
  const parts = [
    `${formatCount(progress.sent)}/${progress.exact ? '' : '~'}${formatCount(progress.toSend)} sent`,
    `failed ${formatCount(progress.failed)}`,
    `invalid ${formatCount(progress.invalid)}`,
    ...(progress.slowedTo === undefined ? [] : [`429: slowed to ${progress.slowedTo.toFixed(1)}/s`]),
    `${progress.requestsPerSecond.toFixed(1)} req/s`,
    `ETA ${formatEta(secondsLeft(progress))}`,
  ];
  let text = parts.join(' · ');
  while (text.length > width && parts.length > 3) {
    parts.splice(parts.length - 1, 1);
    text = parts.join(' · ');
  }
  const room = width - text.length - 1;
  if (room >= 8) {
    const size = Math.min(30, room);
    const share = progress.toSend > 0 ? Math.min(1, progress.sent / progress.toSend) : 0;
    const full = Math.round(share * size);
    text = `${'█'.repeat(full)}${'░'.repeat(size - full)} ${text}`;
  }
  return text.slice(0, width);
}
