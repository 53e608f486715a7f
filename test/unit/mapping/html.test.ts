import { describe, expect, it } from 'vitest';
import { htmlToMarkdown, htmlToText, isHtml } from '../../../src/mapping/html.js';

describe('isHtml', () => {
  it('takes a value for HTML when it opens with an element, has a <br>, or opens and closes one', () => {
    expect(isHtml('<div>This is a sample ticket</div>')).toBe(true);
    expect(isHtml('  <p>Hello')).toBe(true);
    expect(isHtml('Thanks.<br>Bye')).toBe(true);
    expect(isHtml('See <a href="https://x.io">the guide</a> please')).toBe(true);
    expect(isHtml('<!DOCTYPE html><html><body>Hi</body></html>')).toBe(true);
  });

  it('leaves prose with a stray < or a tag-like fragment as plain text', () => {
    expect(isHtml('Condition "Last Seen < 7 days" not working')).toBe(false);
    expect(isHtml('Thank you for reaching out, <name>. We are aware of the outage.')).toBe(false);
    expect(isHtml('Please assist. <input type=x> I need help with the sentence after it.')).toBe(false);
    expect(isHtml('I love it <3')).toBe(false);
    expect(isHtml('Please assist.\n\n<p>\n\nA representative will arrive soon.')).toBe(false);
    expect(isHtml('#include <iostream> struct cmp { std::shared_ptr<dtor> id; }')).toBe(false);
    expect(isHtml('no markup at all')).toBe(false);
  });
});

describe('htmlToMarkdown', () => {
  it('keeps paragraphs, line breaks and divs as blank lines and line breaks', () => {
    const html = '<p>Hi Anna,</p><p>Thanks for writing.<br>We will call you.</p><div>Kind regards,</div><div>Bo</div>';
    expect(htmlToMarkdown(html)).toBe('Hi Anna,\n\nThanks for writing.  \nWe will call you.\n\nKind regards,\n\nBo');
  });

  it('turns <pre> into a fenced code block, its text as written', () => {
    const html = '<p>Run this:</p><pre>if (a &lt; 2) {\n\n  <b>go</b>();\n}\n</pre><p>Done</p>';
    expect(htmlToMarkdown(html)).toBe('Run this:\n\n```\nif (a < 2) {\n\n  go();\n}\n```\n\nDone');
  });

  it('decodes entities once and escapes what would render as markup', () => {
    expect(htmlToMarkdown('<p>Use &lt;br&gt; for a break, &amp;amp; for an ampersand, *not* this</p>')).toBe(
      'Use \\<br> for a break, \\&amp; for an ampersand, \\*not\\* this',
    );
    expect(htmlToMarkdown('<p>caf&eacute; &rsquo;n&rsquo; &#233;&#x27; &unknown;</p>')).toBe("café ’n’ é' \\&unknown;");
  });

  it('keeps nested lists and links as Markdown', () => {
    const html = '<ul><li>one<ul><li>sub <a href="https://x.io/docs">the docs</a></li></ul></li><li>two</li></ul><ol><li>x</li><li>y</li></ol>';
    expect(htmlToMarkdown(html)).toBe('* one\n  * sub [the docs](https://x.io/docs)\n* two\n1. x\n2. y');
  });

  it('closes unclosed elements and keeps the text of broken ones', () => {
    expect(htmlToMarkdown('<p>unclosed <b>bold')).toBe('unclosed **bold**');
    expect(htmlToMarkdown('<p>Hi <b class="x</p> and the rest</p>')).toBe('Hi \\<b class="x\n\nand the rest');
    expect(htmlToMarkdown('<p>a</p><p>b <code></code>c</p></div></span>')).toBe('a\n\nb c');
  });

  it('keeps the text of unknown tags and drops Office and custom ones', () => {
    expect(htmlToMarkdown('<p>Hi <name>, thanks<o:p></o:p> <my-widget>shown</my-widget></p>')).toBe('Hi \\<name>, thanks shown');
  });

  it('drops scripts, styles and comments', () => {
    expect(htmlToMarkdown('<p>x <!-- note --> y</p><script>alert(1)</script><style>p{}</style>z')).toBe('x y\n\nz');
  });

  it('keeps the line breaks of text that has only inline tags, or blank lines in its text', () => {
    expect(htmlToMarkdown('Line one.\n\nLine two <b>bold</b>.\nLine three')).toBe('Line one.\n\nLine two **bold**.  \nLine three');
    expect(htmlToMarkdown('Hi,\n\nsee below.<div>quoted</div>')).toBe('Hi,\n\nsee below.\n\nquoted');
  });

  it('keeps the words of a table cell apart', () => {
    expect(htmlToMarkdown('<table><tr><th>h</th></tr><tr><td>a<br>b</td></tr><tr><td><ul><li>c</li><li>d</li></ul></td></tr></table>')).toBe(
      '| h   |\n| --- |\n| a b |\n| c d |',
    );
  });

  it('falls back to the text, escaped, when the converter loses a word or fails', () => {
    const dropsLastWord = (html: string) => html.replace(/\s*\w+<\/p>$/, '</p>');
    expect(htmlToMarkdown('<p>Keep *every* word</p>', dropsLastWord)).toBe('Keep \\*every\\* word');
    const fails = () => {
      throw new Error('converter failed');
    };
    expect(htmlToMarkdown('<ul><li>one</li><li>two</li></ul>', fails)).toBe('- one\n- two');
  });
});

describe('htmlToText', () => {
  it('keeps paragraphs, lists, line breaks and cells apart; drops scripts and styles', () => {
    const html = '<style>p{}</style><p>Hello&nbsp;&amp; welcome</p><ul><li>one</li><li>two<ol><li>sub</li></ol></li></ul>a<br>b &#233;&#x27;';
    expect(htmlToText(html)).toBe("Hello & welcome\n\n- one\n- two\n  1. sub\n\na\nb é'");
    expect(htmlToText('<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>')).toBe('a\tb\nc');
  });

  it('keeps <pre> as written and the literal text of &lt;br&gt;', () => {
    expect(htmlToText('<p>Code:</p><pre>  x = 1\n  y = 2</pre><p>Use &lt;br&gt;</p>')).toBe('Code:\n\n  x = 1\n  y = 2\n\nUse <br>');
  });

  it('keeps every word of broken markup', () => {
    expect(htmlToText('<p>unclosed <b>bold')).toBe('unclosed bold');
    expect(htmlToText('<p>a <input type="submit" name="n"/> b <product_format and the rest</p>')).toBe('a b <product_format and the rest');
    expect(htmlToText('<p>x <!-- never closed</p><script>y')).toBe('x <!-- never closed\n\ny');
  });
});
