import { createRequire } from 'node:module';
import type { NodeHtmlMarkdown } from 'node-html-markdown';
import { renderText } from './html-text.js';
import { CONTENT, decodeEntities, keepsNewlines, LINES, PARAGRAPHS, set, tokenize, VOID, type Token } from './html-tokens.js';

export { htmlToText } from './html-text.js';
export { isHtml } from './html-tokens.js';
const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const INLINE = set('a abbr b bdi bdo big cite code del dfn em font i ins kbd mark q s samp small span strike strong sub sup tt u var');
const isBlock = (name: string) => PARAGRAPHS.has(name) || (LINES.has(name) && name !== 'br');
const SPACED = ['td', 'th', 'details'];

/** The clean HTML being written, with its open elements: every element is closed, a stray closing tag dropped. */
class CleanHtml {
  private readonly out: string[] = [];
  private readonly open: { name: string; at: number }[] = [];

  within(...names: string[]): boolean {
    return this.open.some((element) => names.includes(element.name));
  }

  text(text: string): void {
    this.out.push(text);
  }

  openTag(name: string, raw: string, empty: boolean): void {
    // Blocks in a table cell or a <details> are spaced apart: the converter would run them into one word.
    if (isBlock(name) && this.within(...SPACED)) this.out.push(' ');
    this.out.push(name === 'pre' ? '<pre><code>' : raw);
    if (!empty) this.open.push({ name, at: this.out.length - 1 });
  }

  closeTag(name: string): void {
    const index = this.open.findLastIndex((element) => element.name === name);
    if (index >= 0) while (this.open.length > index) this.closeLast();
  }

  private closeLast(): void {
    const { name, at } = this.open.pop()!;
    // An empty inline element would leave bare delimiters (`<code></code>` as two backticks).
    if (INLINE.has(name) && at === this.out.length - 1) return void this.out.pop();
    // The converter ends the code block's last line itself.
    if (name === 'pre') this.out[this.out.length - 1] = this.out.at(-1)!.replace(/\n+$/, '');
    this.out.push(name === 'pre' ? '</code></pre>' : `</${name}>`);
    if (isBlock(name) && this.within(...SPACED)) this.out.push(' ');
  }

  toString(): string {
    while (this.open.length > 0) this.closeLast();
    return this.out.join('');
  }
}

/**
 * The HTML the Markdown converter reads: content elements only, every element closed, text decoded
 * here and escaped again (so the converter decodes nothing twice), `<pre>` as a code block.
 */
function toCleanHtml(tokens: readonly Token[], newlines: boolean): string {
  const html = new CleanHtml();
  for (const token of tokens) {
    const inPre = html.within('pre');
    if (token.kind === 'text') {
      const text = escapeHtml(decodeEntities(token.raw));
      html.text(newlines && !inPre ? text.replace(/\n/g, '<br>') : text);
    } else if (!CONTENT.has(token.name)) {
      continue;
    } else if (token.kind === 'close') {
      if (!inPre || token.name === 'pre') html.closeTag(token.name);
    } else if (inPre) {
      if (token.name === 'br') html.text('\n');
    } else if (token.name === 'br' && html.within('td', 'th')) {
      html.text(' '); // the converter joins the lines of a table cell into one word
    } else {
      html.openTag(token.name, token.raw, VOID.has(token.name) || token.selfClosing);
    }
  }
  return html.toString();
}

// The converter's escapes plus `<` (so `&lt;br&gt;` shows as the text `<br>`) and `&` before an
// entity-like run (so a decoded `&amp;amp;` is not decoded again by the Markdown renderer).
const MARKDOWN_ESCAPE = /[\\`*_~[\]<]|&(?=#?[a-zA-Z0-9]+;)/g;
const WORD = /[\p{L}\p{N}]+/gu;

/** Whether every word of `text` appears in `output` in order (letters and digits compared as one run). */
function keepsWords(text: string, output: string): boolean {
  const run = (output.match(WORD) ?? []).join(' ');
  let at = 0;
  for (const word of text.match(WORD) ?? []) {
    const found = run.indexOf(word, at);
    if (found < 0) return false;
    at = found + word.length;
  }
  return true;
}

let converter: NodeHtmlMarkdown | undefined;

/** The default converter: node-html-markdown, escaping `<` and entity-like `&` as well. */
function translate(cleanHtml: string): string {
  // Loaded on first use (a CommonJS package, so synchronously): it and its HTML parser take a
  // tenth of a second to load, which every command would pay at start for a transform few use.
  if (converter === undefined) {
    const { NodeHtmlMarkdown: Converter } = createRequire(import.meta.url)('node-html-markdown') as typeof import('node-html-markdown');
    converter = new Converter({ globalEscape: [MARKDOWN_ESCAPE, '\\$&'] });
  }
  return converter.translate(cleanHtml);
}

/** Drops the converter's stray spaces at line starts and ends, outside code blocks; keeps a hard break only before more text. */
function tidyMarkdown(markdown: string): string {
  let fenced = false;
  const lines = markdown.split('\n').map((line) => {
    const fence = /^\s*```/.test(line);
    if (fence) fenced = !fenced;
    if (fenced && !fence) return line;
    if (line.trim() === '') return '';
    return line.replace(/^ (?=\S)/, '').replace(/[ \t]+$/, (spaces) => (spaces === '  ' ? spaces : ''));
  });
  return lines.join('\n').replace(/ {2}\n(?=\n)/g, '\n').replace(/ {2}$/, '');
}

/**
 * HTML to Markdown: paragraphs, line breaks, lists, links, emphasis and `<pre>` code blocks kept. The
 * converter (`convert`, default node-html-markdown) is checked, not trusted: if its Markdown lacks a
 * word of the text (broken or unusual markup), the text rendering, escaped, is the Markdown.
 */
export function htmlToMarkdown(html: string, convert: (cleanHtml: string) => string = translate): string {
  const tokens = tokenize(html);
  const text = renderText(tokens);
  let markdown: string | undefined;
  try {
    markdown = tidyMarkdown(convert(toCleanHtml(tokens, keepsNewlines(tokens))));
  } catch {
    markdown = undefined;
  }
  return markdown !== undefined && keepsWords(text, markdown) ? markdown : text.replace(MARKDOWN_ESCAPE, '\\$&');
}
