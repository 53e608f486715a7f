import { isEmpty, toText } from './fields.js';
import type { Note } from './losses.js';

/** Where the real exports keep an attachment's URL: Zendesk, Freshdesk, generic, Help Scout, others. */
const URL_KEYS = ['content_url', 'attachment_url', 'url', 'fileUrl', 'href', 'download_url'] as const;
/** Where they keep its file name. */
const NAME_KEYS = ['file_name', 'name', 'fileName', 'filename', 'title'] as const;

/** One attachment as the export held it: its URL when it is http(s), and a name to show. */
interface Attachment {
  /** The URL as written (trimmed), when it is an http(s) URL. */
  url?: string | undefined;
  /** The same URL normalized, to tell two mentions of one file apart from two files. */
  href?: string | undefined;
  name: string;
}

/** False for an empty item (null, "", blank text): exports hold them for messages without files. */
function isPresent(item: unknown): boolean {
  return !isEmpty(item) && !(typeof item === 'string' && item.trim() === '');
}

/** The items of an `attachments` value: a list, a JSON list in text (CSV), or one item. */
function readList(list: unknown): readonly unknown[] {
  if (Array.isArray(list)) return list.filter(isPresent);
  if (!isPresent(list)) return [];
  if (typeof list === 'string' && list.trimStart().startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(list);
      if (Array.isArray(parsed)) return parsed.filter(isPresent);
    } catch {
      // not JSON: one item, named below as not carried
    }
  }
  return [list];
}

/** The normalized URL of text that is an http(s) URL and nothing else; undefined otherwise. */
function httpHref(text: string): string | undefined {
  // The URL parser drops tabs and newlines: text holding them is not one URL.
  if (!/^https?:\/\//i.test(text) || /[\t\r\n]/.test(text)) return undefined;
  try {
    return new URL(text).href;
  } catch {
    return undefined;
  }
}

/** The last segment of a path or URL, decoded: the file name a bare URL implies. */
function lastSegment(text: string): string {
  const path = /^[a-z][a-z0-9+.-]*:/i.test(text) ? text.replace(/[?#].*$/s, '') : text;
  const segment = path.split(/[\\/]/).filter((s) => s.trim() !== '').pop();
  if (segment === undefined) return text;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The first of `keys` holding non-empty text. */
function firstText(item: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = Object.hasOwn(item, key) ? item[key] : undefined;
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return undefined;
}

/** Reads one item: a URL (or a file name) as text, or an object of one of the exports. */
function readItem(item: unknown): Attachment {
  if (typeof item !== 'string' && (item === null || typeof item !== 'object' || Array.isArray(item))) {
    return { name: toText(item).trim() || 'attachment' };
  }
  const object = typeof item === 'string' ? undefined : (item as Record<string, unknown>);
  const text = object === undefined ? (item as string).trim() : firstText(object, URL_KEYS);
  const name = (object && firstText(object, NAME_KEYS)) ?? (text === undefined ? 'attachment' : lastSegment(text));
  const href = text === undefined ? undefined : httpHref(text);
  return { url: href === undefined ? undefined : text, href, name: name.trim() || 'attachment' };
}

/** A name as Markdown text: one line, its Markdown characters escaped so it cannot become a link or emphasis. */
function escapeName(name: string): string {
  return name.replace(/\s+/g, ' ').trim().replace(/[\\`*_[\]<>]/g, '\\$&');
}

/** An http(s) URL as a Markdown link target: spaces, brackets and parentheses would end it early. */
function linkTarget(url: string): string {
  return url.replace(/[ ()<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Carries every attachment of a message. Re:amaze takes one `attachment` URL per message: the
 * first http(s) URL becomes it (unless the mapping set one), every further one is linked at the end
 * of the body under **Attachments**; an item without an http(s) URL is named there, not linked,
 * since Re:amaze could not fetch it and a `javascript:` link must never reach a body.
 */
export function placeAttachments(message: Record<string, unknown>, list: unknown, note: Note): void {
  const own = typeof message.attachment === 'string' ? httpHref(message.attachment.trim()) : undefined;
  const seen = new Set<string>(own === undefined ? [] : [own]);
  let attached = !isEmpty(message.attachment);
  const lines: string[] = [];
  for (const item of readList(list).map(readItem)) {
    if (item.href === undefined || item.url === undefined) {
      lines.push(`- ${escapeName(item.name)} (not carried: no http(s) URL)`);
      note('attachment_not_url', item.name);
    } else if (!seen.has(item.href)) {
      // One file listed twice (or the mapping's own attachment again) is carried once.
      seen.add(item.href);
      if (attached) {
        lines.push(`- [${escapeName(item.name)}](${linkTarget(item.url)})`);
        note('attachments_linked', item.name);
      } else {
        message.attachment = item.url;
        attached = true;
      }
    }
  }
  placeList(message, lines, attached);
}

/** Appends the list to the body; an empty body becomes the list, or `(attachment)` for a lone attachment. */
function placeList(message: Record<string, unknown>, lines: readonly string[], attached: boolean): void {
  const text = toText(message.body).trimEnd();
  if (lines.length === 0) {
    // The API requires a body: a message that is only its attachment still needs one.
    if (text.trim() === '' && attached) message.body = '(attachment)';
    return;
  }
  const section = `**Attachments**\n${lines.join('\n')}`;
  message.body = text.trim() === '' ? section : `${text}\n\n${section}`;
}
