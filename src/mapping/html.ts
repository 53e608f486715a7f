import { NodeHtmlMarkdown } from 'node-html-markdown';

/** One piece of a value: text as written, or a tag read whole (`known` false: a namespaced or custom tag). */
type Token =
  | { kind: 'text'; raw: string }
  | { kind: 'open' | 'close'; name: string; raw: string; known: boolean; selfClosing: boolean };

const set = (names: string) => new Set(names.split(' '));

/** Elements whose tags show that a value is HTML (form controls and metadata alone do not). */
const CONTENT = set(
  'a abbr address article aside b bdi bdo big blockquote body br caption center cite code col colgroup dd del details ' +
    'dfn div dl dt em figcaption figure font footer h1 h2 h3 h4 h5 h6 header hr html i img ins kbd li main mark nav ol ' +
    'p pre q s samp section small span strike strong sub summary sup table tbody td tfoot th thead tr tt u ul var wbr',
);
/** The other HTML elements: read as tags and dropped, their text kept. */
const OTHER = set(
  'area audio base button canvas data datalist dialog embed fieldset form head iframe input label legend link map ' +
    'menu meta meter noscript object optgroup option output param picture progress rp rt ruby script select slot ' +
    'source style svg template textarea time title track video',
);
const VOID = set('area base br col embed hr img input link meta param source track wbr');
/** Blocks a paragraph break (a blank line) separates; the other blocks take a line break. */
const PARAGRAPHS = set('p h1 h2 h3 h4 h5 h6 blockquote pre ul ol table hr dl figure address details');
const LINES = set('br div li tr dt dd caption section article aside header footer nav main html body summary figcaption center');

const LATIN1 =
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute micro ' +
  'para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil ' +
  'Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave ' +
  'Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml ' +
  'igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml';
const SPECIAL =
  'quot:34 amp:38 apos:39 lt:60 gt:62 OElig:338 oelig:339 Scaron:352 scaron:353 Yuml:376 fnof:402 circ:710 tilde:732 ' +
  'ensp:8194 emsp:8195 thinsp:8201 zwnj:8204 zwj:8205 lrm:8206 rlm:8207 ndash:8211 mdash:8212 lsquo:8216 rsquo:8217 ' +
  'sbquo:8218 ldquo:8220 rdquo:8221 bdquo:8222 dagger:8224 Dagger:8225 bull:8226 hellip:8230 permil:8240 prime:8242 ' +
  'Prime:8243 lsaquo:8249 rsaquo:8250 euro:8364 trade:8482 larr:8592 uarr:8593 rarr:8594 darr:8595 harr:8596 ' +
  'minus:8722 infin:8734 asymp:8776 ne:8800 le:8804 ge:8805 check:10003';
/** The HTML 4 named entities and a few more; a name not listed stays as written. */
const ENTITIES = new Map<string, string>([
  ...LATIN1.split(' ').map((name, i): [string, string] => [name, String.fromCodePoint(160 + i)]),
  ...SPECIAL.split(' ').map((pair): [string, string] => [pair.split(':')[0]!, String.fromCodePoint(Number(pair.split(':')[1]))]),
  ['nbsp', ' '],
]);

/** Decodes entities once: the named ones above and every numeric one. */
function decodeEntities(text: string): string {
  return text.replace(/&(#[xX][0-9a-fA-F]+|#\d+|[a-zA-Z][a-zA-Z0-9]*);/g, (whole, name: string) => {
    if (name[0] !== '#') return ENTITIES.get(name) ?? whole;
    const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : Number(name.slice(1));
    const valid = code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
    return valid ? String.fromCodePoint(code) : whole;
  });
}

// A tag ends at its `>` with no `<` before it, not even in quotes; anything else is text, so a stray
// `<input …` in prose or a broken tag never swallows the sentence after it.
const TAG = /<(\/?)([a-zA-Z][^\s/<>]*)((?:[^<>"']|"[^"<]*"|'[^'<]*')*)>/y;
const DECLARATION = /<![a-zA-Z][^<>]*>/y;

/** Reads the tag, comment or declaration at `at`: its token (none for one dropped whole) and its end; undefined: text. */
function readTag(html: string, at: number): { token?: Token; end: number } | undefined {
  if (html.startsWith('<!--', at)) {
    const close = html.indexOf('-->', at + 4);
    return close < 0 ? undefined : { end: close + 3 };
  }
  DECLARATION.lastIndex = at;
  if (DECLARATION.test(html)) return { end: DECLARATION.lastIndex };
  TAG.lastIndex = at;
  const match = TAG.exec(html);
  if (match === null) return undefined;
  const name = match[2]!.toLowerCase();
  const known = CONTENT.has(name) || OTHER.has(name);
  // A plain word in angle brackets that is no element (`<name>`, `<3`) is text a person wrote.
  if (!known && !/[:-]/.test(name)) return undefined;
  const kind = match[1] === '/' ? 'close' : 'open';
  const token: Token = { kind, name, raw: match[0], known, selfClosing: /\/\s*$/.test(match[3]!) };
  if (kind === 'open' && (name === 'script' || name === 'style')) {
    const close = new RegExp(`</${name}\\s*>`, 'ig');
    close.lastIndex = TAG.lastIndex;
    // Unclosed, the tag is dropped and what follows stays text.
    if (close.exec(html) !== null) return { end: close.lastIndex };
  }
  return { token, end: TAG.lastIndex };
}

/** Splits HTML into text and tags, tolerantly: what is not a whole tag is text. */
function tokenize(html: string): Token[] {
  const tokens: Token[] = [];
  let text = '';
  let at = 0;
  while (at < html.length) {
    const lt = html.indexOf('<', at);
    const tag = lt < 0 ? undefined : readTag(html, lt);
    if (lt < 0 || tag === undefined) {
      text += lt < 0 ? html.slice(at) : html.slice(at, lt + 1);
      at = lt < 0 ? html.length : lt + 1;
      continue;
    }
    text += html.slice(at, lt);
    if (text !== '') tokens.push({ kind: 'text', raw: text });
    text = '';
    if (tag.token !== undefined) tokens.push(tag.token);
    at = tag.end;
  }
  if (text !== '') tokens.push({ kind: 'text', raw: text });
  return tokens;
}

/**
 * Whether a value is HTML: it opens with an element's tag, or has a `<br>`/`<hr>`, or an element both
 * opened and closed. A `<` in prose, `<name>`, or a lone `<input …>` keeps a value plain text.
 */
export function isHtml(value: string): boolean {
  if (!value.includes('<')) return false;
  const tokens = tokenize(value);
  const first = tokens.find((token) => token.kind !== 'text' || token.raw.trim() !== '');
  if (first?.kind === 'open' && CONTENT.has(first.name)) return true;
  const opened = new Set<string>();
  for (const token of tokens) {
    if (token.kind === 'text' || !CONTENT.has(token.name)) continue;
    if (token.name === 'br' || token.name === 'hr' || (token.kind === 'close' && opened.has(token.name))) return true;
    if (token.kind === 'open') opened.add(token.name);
  }
  return false;
}

/**
 * Whether the text's own line breaks are its paragraphs: no block tags at all, or a blank line inside
 * written text (a browser would flatten both; the writer meant the breaks).
 */
function keepsNewlines(tokens: readonly Token[]): boolean {
  let blocks = false;
  let pre = 0;
  for (const token of tokens) {
    if (token.kind === 'text') {
      if (pre === 0 && /\S[^\S\n]*\n\s*\n\s*\S/.test(token.raw)) return true;
    } else if (token.name === 'pre') {
      pre = Math.max(0, pre + (token.kind === 'open' ? 1 : -1));
    }
    if (token.kind !== 'text' && (PARAGRAPHS.has(token.name) || LINES.has(token.name))) blocks = true;
  }
  return !blocks;
}

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

function renderText(tokens: readonly Token[]): string {
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
  converter ??= new NodeHtmlMarkdown({ globalEscape: [MARKDOWN_ESCAPE, '\\$&'] });
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
