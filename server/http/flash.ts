import type { Request } from 'express';

/**
 * A message shown once on the next page, after a redirect. With `field`, the form shows it next
 * to that field (what happened to what was typed there) instead of at the top of the page.
 */
export function flash(req: Request, type: 'success' | 'error' | 'info', message: string, field?: string): void {
  (req.session.flash ??= []).push(field ? { type, message, field } : { type, message });
}

export function takeFlash(req: Request) {
  const messages = req.session?.flash ?? [];
  if (req.session && messages.length) req.session.flash = [];
  return messages;
}
