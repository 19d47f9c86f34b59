import type { Request } from 'express';

/** A message shown once on the next page, after a redirect. */
export function flash(req: Request, type: 'success' | 'error' | 'info', message: string): void {
  (req.session.flash ??= []).push({ type, message });
}

export function takeFlash(req: Request) {
  const messages = req.session?.flash ?? [];
  if (req.session && messages.length) req.session.flash = [];
  return messages;
}
