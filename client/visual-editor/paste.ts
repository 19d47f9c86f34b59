/**
 * HTML pasted from Word, LibreOffice, Google Docs or a web page, reduced to its structure before
 * the editor reads it: headings, paragraphs, lists, links, quotes, tables, bold and italic stay;
 * fonts, colours, classes, spans, comments and Word's private markup go. Images go too: an image
 * in an article comes from the media library, with its description.
 *
 * Style attributes are read as text and never through `element.style`, and none survives: the
 * editor's page forbids inline styles (CSP), and the text must look like the site, not like Word.
 */

/** Elements removed with everything inside them. */
const DROPPED =
  'script, style, meta, link, title, head, xml, template, iframe, object, embed, svg, math, canvas, video, audio, input, button, select, textarea, img, picture';

/** Attributes kept, per element; every other attribute of every element is removed. */
const KEPT_ATTRIBUTES: Record<string, string[]> = {
  a: ['href'],
  td: ['colspan', 'rowspan'],
  th: ['colspan', 'rowspan'],
  ol: ['start'],
};

/** Elements that stand for nothing but their content (Word's spans, fonts, `o:p`, Google's wrappers). */
const UNWRAPPED = new Set([
  'span',
  'font',
  'o:p',
  'u',
  'ins',
  'mark',
  'small',
  'big',
  'sub',
  'sup',
  'abbr',
  'cite',
  'label',
  'section',
  'article',
  'header',
  'footer',
  'main',
  'aside',
  'nav',
  'center',
]);

const RENAMED: Record<string, string> = { h1: 'h2', h5: 'h4', h6: 'h4', b: 'strong', i: 'em', dfn: 'em', s: 'del', strike: 'del' };

const SAFE_LINK = /^(https?:|mailto:|tel:|\/(?!\/)|#)/i;

export interface CleanResult {
  html: string;
  /** Images that were in the pasted content and were left out. */
  droppedImages: number;
}

export function cleanPastedHtml(html: string): CleanResult {
  const doc = new DOMParser().parseFromString(defuse(html), 'text/html');
  const body = doc.body;
  const droppedImages = body.querySelectorAll('img, picture, svg, v\\:imagedata, v\\:shape').length;
  removeComments(body);
  convertWordLists(doc);
  body.querySelectorAll(DROPPED).forEach((el) => el.remove());
  // VML shapes and other namespaced Word tags (v:shape, w:sdt…), apart from o:p which holds text.
  [...body.querySelectorAll('*')].filter((el) => el.tagName.includes(':') && el.tagName.toLowerCase() !== 'o:p').forEach((el) => el.remove());
  styledEmphasis(body);
  renameAndUnwrap(body);
  stripAttributes(body);
  headerRows(body);
  dropEmptyBlocks(body);
  return { html: body.innerHTML, droppedImages };
}

/**
 * Even an inert document made by DOMParser checks the page's CSP as it reads style and event
 * attributes, and reports each one as a violation: they are renamed before parsing (inside tags
 * only, so that the text itself is untouched), and style and script elements are cut out.
 */
function defuse(html: string): string {
  return html
    .replace(/<(style|script)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<[a-z][^>]*>/gi, (tag) =>
      tag.replace(/(\s)(style|on[a-z]+)(\s*=)/gi, (_m, space: string, name: string, eq: string) => `${space}data-pasted-${name.toLowerCase()}${eq}`),
    );
}

function removeComments(root: Element): void {
  const walker = root.ownerDocument.createTreeWalker(root, NodeFilter.SHOW_COMMENT);
  const comments: Node[] = [];
  while (walker.nextNode()) comments.push(walker.currentNode);
  comments.forEach((c) => c.parentNode?.removeChild(c));
}

function styleOf(el: Element): string {
  return (el.getAttribute('data-pasted-style') ?? '').toLowerCase().replace(/\s+/g, '');
}

/**
 * Word (desktop) writes no <ul>/<li>: each item is a paragraph styled `mso-list:l0 level2 lfo1`
 * whose bullet or number is text inside a span styled `mso-list:Ignore`. Consecutive items become
 * real lists again, nested by level, numbered when the marker is a number or a letter.
 */
function convertWordLists(doc: Document): void {
  const items = [...doc.body.querySelectorAll('p, h1, h2, h3, h4, h5, h6, div')].filter((el) => /mso-list:l\d+level\d+/.test(styleOf(el)));
  const done = new Set<Element>();
  for (const first of items) {
    if (done.has(first)) continue;
    const run: Element[] = [];
    const id = listIdOf(first);
    for (let el: Element | null = first; el && items.includes(el) && listIdOf(el) === id; el = nextElement(el)) {
      run.push(el);
      done.add(el);
    }
    const stack: { level: number; list: HTMLElement }[] = [];
    const top = buildList(doc, markerOf(run[0]!));
    first.before(top);
    stack.push({ level: levelOf(run[0]!), list: top });
    for (const p of run) {
      const level = levelOf(p);
      const marker = markerOf(p);
      while (stack.length > 1 && level < stack[stack.length - 1]!.level) stack.pop();
      let current = stack[stack.length - 1]!;
      if (level > current.level) {
        const nested = buildList(doc, marker);
        const lastItem = current.list.lastElementChild ?? current.list.appendChild(doc.createElement('li'));
        lastItem.appendChild(nested);
        current = { level, list: nested };
        stack.push(current);
      }
      const li = doc.createElement('li');
      p.querySelectorAll('span').forEach((s) => {
        if (/mso-list:ignore/.test(styleOf(s))) s.remove();
      });
      while (p.firstChild) li.appendChild(p.firstChild);
      current.list.appendChild(li);
      p.remove();
    }
  }
}

function nextElement(el: Element): Element | null {
  let n = el.nextSibling;
  // Whitespace between Word's paragraphs does not end a list.
  while (n && n.nodeType === Node.TEXT_NODE && !(n.textContent ?? '').trim()) n = n.nextSibling;
  return n && n.nodeType === Node.ELEMENT_NODE ? (n as Element) : null;
}

/** Word's list number (`l0`, `l1`…): two lists one after the other have different numbers. */
function listIdOf(el: Element): string {
  return /mso-list:(l\d+)level/.exec(styleOf(el))?.[1] ?? '';
}

function levelOf(el: Element): number {
  const m = /mso-list:l\d+level(\d+)/.exec(styleOf(el));
  return m ? Number(m[1]) : 1;
}

function markerOf(el: Element): string {
  const ignored = [...el.querySelectorAll('span')].find((s) => /mso-list:ignore/.test(styleOf(s)));
  return (ignored?.textContent ?? '').replace(/\u00a0/g, ' ').trim();
}

function buildList(doc: Document, marker: string): HTMLElement {
  const ordered = /^\(?([0-9]+|[a-z]|[ivxlc]+)[.)]$/i.test(marker);
  return doc.createElement(ordered ? 'ol' : 'ul');
}

/** Google Docs and web pages mark bold and italic with styles on spans: kept as <strong>/<em>. */
function styledEmphasis(root: Element): void {
  for (const el of [...root.querySelectorAll('span, font, b, strong, i, em')]) {
    const style = styleOf(el);
    const tag = el.tagName.toLowerCase();
    // Google Docs wraps the whole paste in <b style="font-weight:normal">: not bold at all.
    if ((tag === 'b' || tag === 'strong') && /(^|;)font-weight:(normal|[1-4]00)(;|$)/.test(style)) {
      unwrap(el);
      continue;
    }
    if ((tag === 'i' || tag === 'em') && /(^|;)font-style:normal/.test(style)) {
      unwrap(el);
      continue;
    }
    if (tag !== 'span' && tag !== 'font') continue;
    const bold = /(^|;)font-weight:(bold|bolder|[6-9]00)(;|$)/.test(style);
    const italic = /(^|;)font-style:italic/.test(style);
    if (!bold && !italic) continue;
    let inner: Element = el;
    for (const wrapper of [bold && 'strong', italic && 'em'].filter(Boolean) as string[]) {
      const w = el.ownerDocument.createElement(wrapper);
      while (inner.firstChild) w.appendChild(inner.firstChild);
      inner.appendChild(w);
      inner = w;
    }
  }
}

function renameAndUnwrap(root: Element): void {
  // Innermost first, so that an element's children are settled before it moves them.
  for (const el of [...root.querySelectorAll('*')].reverse()) {
    const tag = el.tagName.toLowerCase();
    if (UNWRAPPED.has(tag) || (tag === 'a' && !SAFE_LINK.test((el.getAttribute('href') ?? '').trim()))) {
      unwrap(el);
      continue;
    }
    const renamed = RENAMED[tag];
    if (renamed) {
      const next = el.ownerDocument.createElement(renamed);
      for (const a of [...el.attributes]) next.setAttribute(a.name, a.value);
      while (el.firstChild) next.appendChild(el.firstChild);
      el.replaceWith(next);
    }
  }
}

function unwrap(el: Element): void {
  el.replaceWith(...el.childNodes);
}

function stripAttributes(root: Element): void {
  for (const el of root.querySelectorAll('*')) {
    const kept = KEPT_ATTRIBUTES[el.tagName.toLowerCase()] ?? [];
    for (const a of [...el.attributes]) {
      // ProseMirror marks what it copied itself, to paste it back exactly.
      if (!kept.includes(a.name) && a.name !== 'data-pm-slice') el.removeAttribute(a.name);
    }
  }
}

/**
 * A Markdown table always has a header row, and Word's tables have none marked as such (their
 * first row is the header in practice): without this, the site would show an empty header.
 */
function headerRows(root: Element): void {
  for (const table of root.querySelectorAll('table')) {
    if (table.querySelector('th')) continue;
    const first = table.querySelector('tr');
    for (const td of [...(first?.children ?? [])]) {
      if (td.tagName.toLowerCase() !== 'td') continue;
      const th = root.ownerDocument.createElement('th');
      for (const a of [...td.attributes]) th.setAttribute(a.name, a.value);
      while (td.firstChild) th.appendChild(td.firstChild);
      td.replaceWith(th);
    }
  }
}

/** Word ends every block with `<p>&nbsp;</p>` spacers; empty blocks are dropped, cells kept. */
function dropEmptyBlocks(root: Element): void {
  for (const el of [...root.querySelectorAll('p, h2, h3, h4, li, blockquote, div')].reverse()) {
    if ((el.textContent ?? '').replace(/\u00a0/g, ' ').trim() !== '') continue;
    if (el.querySelector('br, table, ul, ol')) continue;
    if (el.closest('td, th') && el.parentElement?.children.length === 1) continue;
    el.remove();
  }
}
