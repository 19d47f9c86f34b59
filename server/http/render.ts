import path from 'node:path';
import type { Response } from 'express';
import { frenchSpacingHtml } from '../i18n/typography';

export const VIEWS_DIR = path.join(__dirname, '..', '..', 'views');

function renderView(res: Response, view: string, locals: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => {
    res.render(view, locals, (err, html) => (err ? reject(err) : resolve(html)));
  });
}

/**
 * Renders `view` inside its layout: admin pages in views/admin/layout.ejs, public pages in
 * views/site/layout.ejs, the login pages in views/admin/layout-bare.ejs. `layout: false` sends
 * the view alone.
 */
export async function renderPage(
  res: Response,
  view: string,
  locals: Record<string, unknown> & { title?: string; layout?: string | false } = {},
  status = 200,
): Promise<void> {
  const body = await renderView(res, view, locals);
  const layout = locals.layout ?? (view.startsWith('site/') ? 'site/layout' : 'admin/layout');
  const html = layout === false ? body : await renderView(res, layout, { ...locals, body });
  // Public pages get French spacing at rendering (the stored text is never changed); the admin
  // shows what was typed, since its forms send it back.
  res
    .status(status)
    .type('html')
    .send(view.startsWith('site/') ? frenchSpacingHtml(html) : html);
}
