import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import xterm from '@xterm/headless';
import { REPO } from './cli.js';

const BIN = join(REPO, 'dist/cli/bin.js');

/** A `reamaze-import` process on a pseudo-terminal of its own, as a person at a terminal runs it. */
export interface TerminalChild {
  code: Promise<number | null>;
  /** Types into the terminal: '\x03' is Ctrl-C (the terminal sends SIGINT). */
  type: (text: string) => void;
  /** Everything the terminal received so far, escape sequences included. */
  raw: () => string;
  /** The screen as a person sees it now (with what scrolled off above), one string a printed line (wrapped ones joined). */
  screen: () => Promise<string[]>;
  /** The screen as it was `ms` after the start. */
  screenAt: (ms: number) => Promise<string[]>;
  /** When the process started (Date.now()). */
  startedAt: number;
}

const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

/**
 * Starts the built binary under util-linux `script`, which gives it a pseudo-terminal of
 * `columns` × `rows`; the output is read through a headless xterm, so a line the progress bar
 * redrew over is seen as it was left.
 */
export function startInTerminal(args: string[], env: Record<string, string>, size = { columns: 80, rows: 24 }): TerminalChild {
  if (!existsSync(BIN)) throw new Error('dist/ is missing: run `npm run build` before the tests');
  const command = `stty cols ${size.columns} rows ${size.rows}; exec ${[process.execPath, BIN, ...args].map(quote).join(' ')}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    env: { ...process.env, ...env, TERM: 'xterm-256color', CI: '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const startedAt = Date.now();
  const chunks: { at: number; text: string }[] = [];
  const received = (chunk: Buffer) => chunks.push({ at: Date.now() - startedAt, text: chunk.toString() });
  child.stdout.on('data', received);
  child.stderr.on('data', received);
  const code = new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)));
  const upTo = (ms: number) => chunks.filter((chunk) => chunk.at <= ms).map((chunk) => chunk.text).join('');
  return {
    code,
    startedAt,
    type: (text) => child.stdin.write(text),
    raw: () => upTo(Infinity),
    screen: () => render(upTo(Infinity), size),
    screenAt: (ms) => render(upTo(ms), size),
  };
}

async function render(raw: string, size: { columns: number; rows: number }): Promise<string[]> {
  const terminal = new xterm.Terminal({ cols: size.columns, rows: size.rows, scrollback: 10_000, allowProposedApi: true });
  await new Promise<void>((resolve) => terminal.write(raw, resolve));
  const buffer = terminal.buffer.active;
  const lines: string[] = [];
  for (let i = 0; i < buffer.length; i++) {
    const line = buffer.getLine(i);
    const text = line?.translateToString(true) ?? '';
    // A line the terminal wrapped at its width continues the one above: one line as printed.
    if (line?.isWrapped && lines.length > 0) lines[lines.length - 1] += text;
    else lines.push(text);
  }
  terminal.dispose();
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines;
}
