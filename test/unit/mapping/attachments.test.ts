import { describe, expect, it } from 'vitest';
import { placeAttachments } from '../../../src/mapping/attachments.js';

/** Places `list` into a copy of `message`: the message as it comes out and the losses as text. */
function place(message: Record<string, unknown>, list: unknown) {
  const out = { ...message };
  const losses: string[] = [];
  placeAttachments(out, list, (kind, detail) => losses.push(`${kind}: ${detail}`));
  return { message: out, losses };
}

describe('placeAttachments', () => {
  it('makes the first URL the attachment and links the others under **Attachments**', () => {
    const zendesk = [
      { content_url: 'https://acme.zendesk.com/attachments/token/a1/?name=invoice.pdf', file_name: 'invoice.pdf', content_type: 'application/pdf', size: 1024 },
      { content_url: 'https://acme.zendesk.com/attachments/token/a2/?name=photo.jpg', file_name: 'photo.jpg', content_type: 'image/jpeg', size: 2048 },
      { content_url: 'https://acme.zendesk.com/attachments/token/a3/?name=log.txt', file_name: 'log.txt', content_type: 'text/plain', size: 10 },
    ];
    expect(place({ body: 'Please see attached.\n' }, zendesk)).toEqual({
      message: {
        body:
          'Please see attached.\n\n**Attachments**\n' +
          '- [photo.jpg](https://acme.zendesk.com/attachments/token/a2/?name=photo.jpg)\n' +
          '- [log.txt](https://acme.zendesk.com/attachments/token/a3/?name=log.txt)',
        attachment: 'https://acme.zendesk.com/attachments/token/a1/?name=invoice.pdf',
      },
      losses: ['attachments_linked: photo.jpg', 'attachments_linked: log.txt'],
    });
  });

  it('reads Freshdesk, Help Scout and generic objects, and bare URLs named by their last segment', () => {
    const list = [
      { attachment_url: 'https://s3.amazonaws.com/fd/a.png?X-Amz-Signature=abc', name: 'a.png', content_type: 'image/png', size: 1 },
      { url: 'https://api.helpscout.net/v2/attachments/1/data', fileName: 'b.docx', mimeType: 'application/msword', size: 2 },
      { fileUrl: 'https://files.helpscout.net/c', filename: 'c.csv' },
      { href: 'https://example.com/d', title: 'd.zip' },
      { download_url: 'https://example.com/files/e%20final.pdf' },
      'https://example.com/files/f%C3%A9.txt?download=1',
    ];
    expect(place({ body: 'Hi' }, list)).toEqual({
      message: {
        body:
          'Hi\n\n**Attachments**\n' +
          '- [b.docx](https://api.helpscout.net/v2/attachments/1/data)\n' +
          '- [c.csv](https://files.helpscout.net/c)\n' +
          '- [d.zip](https://example.com/d)\n' +
          '- [e final.pdf](https://example.com/files/e%20final.pdf)\n' +
          '- [fé.txt](https://example.com/files/f%C3%A9.txt?download=1)',
        attachment: 'https://s3.amazonaws.com/fd/a.png?X-Amz-Signature=abc',
      },
      losses: ['attachments_linked: b.docx', 'attachments_linked: c.csv', 'attachments_linked: d.zip', 'attachments_linked: e final.pdf', 'attachments_linked: fé.txt'],
    });
  });

  it('links every item when the mapping set its own attachment, except that one', () => {
    const own = 'https://example.com/files/a.pdf';
    expect(place({ body: 'Text', attachment: own }, ['https://EXAMPLE.com/files/a.pdf', 'https://example.com/files/b.pdf'])).toEqual({
      message: { body: 'Text\n\n**Attachments**\n- [b.pdf](https://example.com/files/b.pdf)', attachment: own },
      losses: ['attachments_linked: b.pdf'],
    });
  });

  it('carries one file listed twice once', () => {
    expect(place({ body: 'x' }, ['https://example.com/a', 'https://example.com/a', 'https://example.com/b'])).toEqual({
      message: { body: 'x\n\n**Attachments**\n- [b](https://example.com/b)', attachment: 'https://example.com/a' },
      losses: ['attachments_linked: b'],
    });
  });

  it('names items without an http(s) URL as plain text, never as a link', () => {
    const list = [
      'invoice.pdf',
      { url: 'ftp://files.example.com/pub/report.pdf' },
      'javascript:alert(1)',
      { url: 'https://example.com/ok.png', name: 'ok.png' },
      { name: 'lost.doc', url: 'not a url' },
      { size: 3 },
      17,
    ];
    expect(place({ body: 'Body' }, list)).toEqual({
      message: {
        body:
          'Body\n\n**Attachments**\n' +
          '- invoice.pdf (not carried: no http(s) URL)\n' +
          '- report.pdf (not carried: no http(s) URL)\n' +
          '- javascript:alert(1) (not carried: no http(s) URL)\n' +
          '- lost.doc (not carried: no http(s) URL)\n' +
          '- attachment (not carried: no http(s) URL)\n' +
          '- 17 (not carried: no http(s) URL)',
        attachment: 'https://example.com/ok.png',
      },
      losses: [
        'attachment_not_url: invoice.pdf',
        'attachment_not_url: report.pdf',
        'attachment_not_url: javascript:alert(1)',
        'attachment_not_url: lost.doc',
        'attachment_not_url: attachment',
        'attachment_not_url: 17',
      ],
    });
  });

  it('escapes Markdown in names and parentheses in link targets', () => {
    const list = [
      'https://example.com/first',
      { url: 'https://example.com/a_(1).png', name: '[x](javascript:alert(1)) *bold* `code` <b>\\' },
      { url: 'https://example.com/b', name: 'two\nlines' },
      { name: 'un_der[score].txt' },
    ];
    expect(place({ body: 'B' }, list).message.body).toBe(
      'B\n\n**Attachments**\n' +
        '- [\\[x\\](javascript:alert(1)) \\*bold\\* \\`code\\` \\<b\\>\\\\](https://example.com/a_%281%29.png)\n' +
        '- [two lines](https://example.com/b)\n' +
        '- un\\_der\\[score\\].txt (not carried: no http(s) URL)',
    );
  });

  it('makes an empty body the list, or "(attachment)" for a lone attachment', () => {
    expect(place({ body: '' }, ['https://example.com/a.pdf'])).toEqual({
      message: { body: '(attachment)', attachment: 'https://example.com/a.pdf' },
      losses: [],
    });
    expect(place({}, ['https://example.com/a.pdf', 'b.pdf'])).toEqual({
      message: { body: '**Attachments**\n- b.pdf (not carried: no http(s) URL)', attachment: 'https://example.com/a.pdf' },
      losses: ['attachment_not_url: b.pdf'],
    });
    expect(place({ body: '  ' }, ['b.pdf'])).toEqual({
      message: { body: '**Attachments**\n- b.pdf (not carried: no http(s) URL)' },
      losses: ['attachment_not_url: b.pdf'],
    });
  });

  it('reads a JSON list in text and one object; leaves a message without attachments as it is', () => {
    expect(place({ body: 'x' }, '[{"url": "https://example.com/a"}, "https://example.com/b"]').message).toEqual({
      body: 'x\n\n**Attachments**\n- [b](https://example.com/b)',
      attachment: 'https://example.com/a',
    });
    expect(place({ body: 'x' }, { content_url: 'https://example.com/a', file_name: 'a' }).message).toEqual({ body: 'x', attachment: 'https://example.com/a' });
    for (const empty of [undefined, null, '', [], [null, '', '  ']]) {
      expect(place({ body: 'x' }, empty)).toEqual({ message: { body: 'x' }, losses: [] });
    }
    expect(place({}, undefined)).toEqual({ message: {}, losses: [] });
  });
});
