import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

/**
 * Markdown → HTML that is safe to show on the site, in e-mails and in the admin. `marked` does no
 * sanitizing of its own (raw HTML passes through), so everything it produces goes through an
 * allow-list: anything not listed is dropped, whatever the spelling (sanitize-html decodes
 * entities and strips control characters before it checks a URL's scheme).
 */
const marked = new Marked({ gfm: true, breaks: false, async: false });

/** Our own media files only: no other host, no "..", no query string tricks. */
const OWN_MEDIA = /^\/media\/[A-Za-z0-9][A-Za-z0-9._/-]*$/;

function isExternal(href: string): boolean {
  return /^https?:\/\//i.test(href);
}

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'h2',
    'h3',
    'h4',
    'p',
    'ul',
    'ol',
    'li',
    'a',
    'strong',
    'em',
    'del',
    'blockquote',
    'code',
    'pre',
    'hr',
    'br',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
    'img',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    img: ['src', 'alt', 'title'],
    th: ['align'],
    td: ['align'],
    ol: ['start'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: [] }, // images: relative /media/ paths only (checked below)
  allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object', 'embed', 'svg', 'math', 'template'],
  transformTags: {
    // The page title is the h1; headings in the body start one level below.
    h1: 'h2',
    h5: 'h4',
    h6: 'h4',
    a: (tagName, attribs) => {
      const href = attribs.href ?? '';
      const next: Record<string, string> = { ...attribs };
      delete next.rel;
      if (isExternal(href)) next.rel = 'noopener noreferrer external';
      return { tagName, attribs: next };
    },
  },
  exclusiveFilter: (frame) => {
    if (frame.tag !== 'img') return false;
    const src = frame.attribs.src ?? '';
    const alt = (frame.attribs.alt ?? '').trim();
    return !OWN_MEDIA.test(src) || src.includes('..') || alt === '';
  },
};

export function renderMarkdown(md: string): string {
  const raw = marked.parse(md ?? '') as string;
  return sanitizeHtml(raw, OPTIONS).trim();
}

/**
 * The images a text would show (Markdown images and <img> tags alike, read the same way as
 * renderMarkdown reads them), with their description, for the rules that refuse an image without
 * one: the sanitizer above drops such an image silently, which the writer must hear about.
 */
export function imagesIn(md: string): { src: string; alt: string }[] {
  const raw = marked.parse(md ?? '') as string;
  const found: { src: string; alt: string }[] = [];
  sanitizeHtml(raw, {
    allowedTags: ['img'],
    allowedAttributes: { img: ['src', 'alt'] },
    allowedSchemesByTag: { img: [] },
    allowProtocolRelative: false,
    nonTextTags: OPTIONS.nonTextTags,
    exclusiveFilter: (frame) => {
      const src = frame.attribs.src ?? '';
      if (frame.tag === 'img' && OWN_MEDIA.test(src) && !src.includes('..')) found.push({ src, alt: (frame.attribs.alt ?? '').trim() });
      return false;
    },
  });
  return found;
}
