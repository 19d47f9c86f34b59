import type { Translate } from '../i18n/i18n';
import { escapeHtml } from './html';

/**
 * Each table of a rendered text (renderMarkdown's sanitized HTML) in a frame of its own that
 * scrolls sideways: on a phone a wide table scrolls there, its cells wrapping between words,
 * instead of widening the page or cutting words in two. The frame is a named region and a Tab stop,
 * so that a keyboard can scroll it too (WCAG 2.1.1). Done when a page is shown, so that texts
 * saved before are framed as well; the stored rendering, the e-mails and the feeds keep plain tables.
 */
export function scrollableTables(html: string, t: Translate): string {
  if (!html.includes('<table')) return html;
  let n = 0;
  return html
    .replace(/<table\b[^>]*>/g, (open) => {
      n += 1;
      return `<div class="table-scroll" role="region" tabindex="0" aria-label="${escapeHtml(t('Tableau {n}', { n }))}">${open}`;
    })
    .replace(/<\/table>/g, '</table></div>');
}
