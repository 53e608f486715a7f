import { decodeEntities, keepsNewlines, LINES, PARAGRAPHS, tokenize, type Token } from './html-tokens.js';

// A value's HTML as plain text, as a browser would show it: paragraphs, lines and lists kept.

/** Writes text with collapsed spaces and at most the line breaks asked for. */
class TextWriter {
  private readonly parts: string[] = [];
  private breaks = 0;
  private space = false;

  /** Text whose whitespace collapses to one space. */
  write(text: string): void {
    const body = text.replace(/\s+/g, ' ').trim();
    if (/^\s/.test(text)) this.space = true;
    if (body === '') return;
    if (this.space && this.breaks === 0 && !(this.parts.at(-1)?.endsWith(' ') ?? true)) this.parts.push(' ');
    this.parts.push(body);
    this.breaks = 0;
    this.space = /\s$/.test(text);
  }

  /** Text kept as written (`<pre>`). */
  verbatim(text: string): void {
    if (text === '') return;
    this.parts.push(text);
    const trailing = /\n*$/.exec(text)![0].length;
    this.breaks = trailing === text.length ? this.breaks + trailing : trailing;
    this.space = false;
  }

  /** Ends the line; `count` 2 leaves a blank line. */
  lineBreak(count: number): void {
    this.space = false;
    if (this.parts.length === 0) return;
    for (; this.breaks < count; this.breaks++) this.parts.push('\n');
  }

  toString(): string {
    return this.parts.join('').replace(/[ \t]+\n/g, '\n').trim();
  }
}

/** The state of a text rendering: open lists (-1 for `<ul>`, else the last item number) and `<pre>` depth. */
interface TextState {
  out: TextWriter;
  lists: number[];
  pre: number;
  newlines: boolean;
}

function writeTextToken(state: TextState, raw: string): void {
  const text = decodeEntities(raw);
  if (state.pre > 0) return state.out.verbatim(text);
  if (!state.newlines) return state.out.write(text);
  for (const piece of text.split(/([^\S\n]*\n\s*)/)) {
    if (!piece.includes('\n')) state.out.write(piece);
    else state.out.lineBreak(Math.min(2, piece.split('\n').length - 1));
  }
}

function writeTagToken(state: TextState, kind: 'open' | 'close', name: string): void {
  const { out, lists } = state;
  if (name === 'pre') {
    out.lineBreak(2);
    state.pre = Math.max(0, state.pre + (kind === 'open' ? 1 : -1));
  } else if (state.pre > 0) {
    if (name === 'br') out.verbatim('\n');
  } else if (name === 'ul' || name === 'ol') {
    if (kind === 'open') lists.push(name === 'ol' ? 0 : -1);
    else lists.pop();
    out.lineBreak(lists.length > 0 ? 1 : 2);
  } else if (name === 'li' && kind === 'open') {
    out.lineBreak(1);
    const last = lists.length - 1;
    const number = lists[last] ?? -1;
    if (number >= 0) lists[last] = number + 1;
    out.verbatim(`${'  '.repeat(Math.max(0, last))}${number >= 0 ? `${number + 1}.` : '-'} `);
  } else if ((name === 'td' || name === 'th') && kind === 'close') {
    out.verbatim('\t');
  } else if (PARAGRAPHS.has(name)) {
    out.lineBreak(2);
  } else if (LINES.has(name) && (kind === 'open' || name !== 'br')) {
    out.lineBreak(1);
  }
}

export function renderText(tokens: readonly Token[]): string {
  const state: TextState = { out: new TextWriter(), lists: [], pre: 0, newlines: keepsNewlines(tokens) };
  for (const token of tokens) {
    if (token.kind === 'text') writeTextToken(state, token.raw);
    else if (token.known) writeTagToken(state, token.kind, token.name);
  }
  return state.out.toString();
}

/** HTML to plain text: every visible word kept, scripts, styles and tags dropped, blocks on their own lines. */
export function htmlToText(html: string): string {
  return renderText(tokenize(html));
}
