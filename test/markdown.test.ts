import { renderMarkdown } from '../server/articles/markdown';

const FORBIDDEN = /<script|<iframe|<style|<svg|<object|<embed|<form|<input|\son\w+=|javascript:|vbscript:|data:|style=/i;

describe('Markdown rendering', () => {
  it.each([
    ['a script tag', '<script>alert(1)</script>'],
    ['an image with onerror', '<img src=x onerror=alert(1)>'],
    ['a javascript: link', '[x](javascript:alert(1))'],
    ['a mixed-case javascript: link', '[x](JaVaScRiPt:alert(1))'],
    ['a javascript: link split by a tab entity', '<a href="jav&#x09;ascript:alert(1)">x</a>'],
    ['a javascript: link written with entities', '<a href="&#106;&#97;vascript:alert(1)">x</a>'],
    ['a javascript: link after spaces', '[x](   javascript:alert(1))'],
    ['a javascript: link with a newline entity', '<a href="java&#10;script:alert(1)">x</a>'],
    ['an iframe', '<iframe src="https://evil.example"></iframe>'],
    ['an svg with onload', '<svg onload=alert(1)><circle r="1"/></svg>'],
    ['a style block', '<style>*{display:none}</style>'],
    ['a data: link', '[x](data:text/html;base64,PHNjcmlwdD4=)'],
    ['a vbscript: link', '[x](vbscript:msgbox(1))'],
    ['a Markdown image with a javascript: source', '![x](javascript:alert(1))'],
    ['a style attribute and a click handler', '<p style="background:url(x)" onclick="alert(1)">p</p>'],
    ['a form', '<form action="https://evil.example"><input name="password"></form>'],
    ['a details/ontoggle trick', '<details open ontoggle=alert(1)>x</details>'],
    ['a math/mglyph mutation trick', '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>'],
  ])('removes %s', (_name, input) => {
    expect(renderMarkdown(input)).not.toMatch(FORBIDDEN);
  });

  it('keeps the formatting a commune needs', () => {
    const html = renderMarkdown(
      '# Grand titre\n\n## Intertitre\n\n**gras** *italique*\n\n- un\n- deux\n\n1. premier\n\n> citation\n\n`code`\n\n---\n\n| a | b |\n|---|---|\n| 1 | 2 |',
    );
    for (const tag of [
      '<h2>Grand titre</h2>',
      '<h2>Intertitre</h2>',
      '<strong>gras</strong>',
      '<em>italique</em>',
      '<ul>',
      '<ol>',
      '<blockquote>',
      '<code>code</code>',
      '<hr />',
      '<table>',
      '<td>1</td>',
    ]) {
      expect(html).toContain(tag);
    }
    expect(html).not.toContain('<h1');
  });

  it('keeps http, https, mailto, tel and relative links, marking external ones', () => {
    const html = renderMarkdown('[a](https://example.org) [b](http://example.org) [c](mailto:mairie@commune.fr) [d](tel:+33100000000) [e](/actualites/fete)');
    expect(html).toContain('<a href="https://example.org" rel="noopener noreferrer external">a</a>');
    expect(html).toContain('<a href="http://example.org" rel="noopener noreferrer external">b</a>');
    expect(html).toContain('<a href="mailto:mairie@commune.fr">c</a>');
    expect(html).toContain('<a href="tel:+33100000000">d</a>');
    expect(html).toContain('<a href="/actualites/fete">e</a>');
  });

  it('drops protocol-relative links to other hosts', () => {
    expect(renderMarkdown('[x](//evil.example/path)')).not.toContain('evil.example');
  });

  it('keeps images only from our own /media/ paths and only with a description', () => {
    expect(renderMarkdown('![Le lavoir](/media/12/lavoir-800.webp)')).toContain('<img src="/media/12/lavoir-800.webp" alt="Le lavoir" />');
    expect(renderMarkdown('![](/media/12/lavoir-800.webp)')).not.toContain('<img');
    expect(renderMarkdown('![Pixel](https://tracker.example/p.gif)')).not.toContain('<img');
    expect(renderMarkdown('![Escape](/media/../admin/users)')).not.toContain('<img');
  });

  it('shows raw HTML outside the allow-list as text, without its tags', () => {
    const html = renderMarkdown('<div class="x"><marquee>Bonjour</marquee></div>');
    expect(html).toContain('Bonjour');
    expect(html).not.toMatch(/<div|<marquee|class=/);
  });
});
