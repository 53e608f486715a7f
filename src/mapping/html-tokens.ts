/** Reading a value's markup: tokens, the elements they name, entities, and whether a value is HTML at all. */

/** One piece of a value: text as written, or a tag read whole (`known` false: a namespaced or custom tag). */
export type Token =
  | { kind: 'text'; raw: string }
  | { kind: 'open' | 'close'; name: string; raw: string; known: boolean; selfClosing: boolean };

export const set = (names: string) => new Set(names.split(' '));

/** Elements whose tags show that a value is HTML (form controls and metadata alone do not). */
export const CONTENT = set(
  'a abbr address article aside b bdi bdo big blockquote body br caption center cite code col colgroup dd del details ' +
    'dfn div dl dt em figcaption figure font footer h1 h2 h3 h4 h5 h6 header hr html i img ins kbd li main mark nav ol ' +
    'p pre q s samp section small span strike strong sub summary sup table tbody td tfoot th thead tr tt u ul var wbr',
);
/** The other HTML elements: read as tags and dropped, their text kept. */
export const OTHER = set(
  'area audio base button canvas data datalist dialog embed fieldset form head iframe input label legend link map ' +
    'menu meta meter noscript object optgroup option output param picture progress rp rt ruby script select slot ' +
    'source style svg template textarea time title track video',
);
export const VOID = set('area base br col embed hr img input link meta param source track wbr');
/** Blocks a paragraph break (a blank line) separates; the other blocks take a line break. */
export const PARAGRAPHS = set('p h1 h2 h3 h4 h5 h6 blockquote pre ul ol table hr dl figure address details');
export const LINES = set('br div li tr dt dd caption section article aside header footer nav main html body summary figcaption center');

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
export function decodeEntities(text: string): string {
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
export function tokenize(html: string): Token[] {
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
export function keepsNewlines(tokens: readonly Token[]): boolean {
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
