import type { AnyExtension } from '@tiptap/core';
import StarterKit from '@tiptap/starter-kit';
import Image from '@tiptap/extension-image';
// Installed with the starter kit (which pins it to the same version): only its Markdown reading changes here.
import Paragraph from '@tiptap/extension-paragraph';
import { Table, TableCell, TableHeader, TableRow } from '@tiptap/extension-table';
import { Markdown } from '@tiptap/markdown';

/** Our media library's files, as the server's sanitizer accepts them (server/articles/markdown.ts). */
export const OWN_MEDIA = /^\/media\/[A-Za-z0-9][A-Za-z0-9._/-]*$/;

/** Links the site keeps: the web, e-mail, telephone, and the site's own pages. */
export function allowedHref(href: string): boolean {
  return /^(https?:\/\/[^\s]+|mailto:[^\s]+|tel:[+0-9 ().-]+|\/(?!\/)[^\s]*|#[^\s]*)$/i.test(href.trim());
}

/**
 * The page forbids inline styles (CSP `style-src 'self'`): Tiptap's table writes a width in a
 * style attribute and a <colgroup> of styled columns, which the browser would refuse and report.
 * Tables here have no widths (Markdown tables have none either): a plain <table>.
 */
const PlainTable = Table.extend({
  renderHTML() {
    return ['table', {}, ['tbody', 0]];
  },
  // Tab goes to the next cell, and leaves the table after the last one instead of adding rows
  // without end: a keyboard user must always be able to Tab out of the editor.
  addKeyboardShortcuts() {
    return {
      Tab: () => this.editor.commands.goToNextCell(),
      'Shift-Tab': () => this.editor.commands.goToPreviousCell(),
    };
  },
});

/** A cell's alignment as a class (the stylesheet aligns it), not as an inline style. */
const alignAttribute = {
  default: null,
  parseHTML: (el: HTMLElement) => {
    const a = (el.getAttribute('align') ?? '').toLowerCase();
    return a === 'left' || a === 'right' || a === 'center' ? a : null;
  },
  renderHTML: (attrs: { align?: string | null }) => (attrs.align ? { class: `align-${attrs.align}` } : {}),
};
const PlainCell = TableCell.extend({
  addAttributes() {
    return { ...this.parent?.(), align: alignAttribute };
  },
});
const PlainHeader = TableHeader.extend({
  addAttributes() {
    return { ...this.parent?.(), align: alignAttribute };
  },
});

/**
 * Images live in the text (inline, as in Markdown) and come from the media library only: an
 * image from elsewhere, or pasted without a description, is never taken in.
 */
const LibraryImage = Image.extend({
  parseHTML() {
    return [
      {
        tag: 'img[src]',
        getAttrs: (el: HTMLElement) => {
          const src = el.getAttribute('src') ?? '';
          const alt = (el.getAttribute('alt') ?? '').trim();
          return OWN_MEDIA.test(src) && !src.includes('..') && alt ? { src, alt } : false;
        },
      },
    ];
  },
  // An image from elsewhere in a Markdown text is never shown by the site (and the page's CSP
  // would refuse to load it): the editor leaves it out too, as what the site will publish.
  parseMarkdown: (token, helpers) => {
    const src = String(token.href ?? '');
    if (!OWN_MEDIA.test(src) || src.includes('..')) return [];
    return helpers.createNode('image', { src, title: token.title ?? null, alt: token.text ?? '' });
  },
}).configure({ inline: true, allowBase64: false });

/**
 * Tiptap's paragraph lifts a paragraph holding nothing but an image out of it, for block images;
 * ours are inline (as in Markdown), so such a paragraph stays a paragraph holding the image, and
 * a text saved with an image on its own line opens again as it was written.
 */
const baseParagraphMarkdown = Paragraph.config.parseMarkdown;
const ImageParagraph = Paragraph.extend({
  parseMarkdown: (token, helpers) => {
    const tokens = token.tokens ?? [];
    if (tokens.length === 1 && tokens[0]?.type === 'image') return helpers.createNode('paragraph', undefined, helpers.parseInline(tokens));
    return baseParagraphMarkdown ? baseParagraphMarkdown(token, helpers) : helpers.createNode('paragraph', undefined, helpers.parseInline(tokens));
  },
});

export function editorExtensions(): AnyExtension[] {
  return [
    StarterKit.configure({
      // The article's title is the page's h1: the text's headings start at h2, as on the site.
      heading: { levels: [2, 3, 4] },
      // Markdown has no underline, and the site's sanitizer keeps none.
      underline: false,
      paragraph: false,
      link: {
        openOnClick: false,
        autolink: true,
        linkOnPaste: true,
        defaultProtocol: 'https',
        protocols: ['mailto', 'tel'],
        HTMLAttributes: { target: null, rel: null, class: null },
        isAllowedUri: (url: string) => allowedHref(url),
      },
    }),
    ImageParagraph,
    PlainTable,
    TableRow,
    PlainHeader,
    PlainCell,
    LibraryImage,
    Markdown.configure({ markedOptions: { gfm: true, breaks: false } }),
  ];
}
