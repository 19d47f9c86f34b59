import { z } from 'zod';
import { NotFoundError } from '../http/errors';
import { str } from '../http/validate';
import { ALT_MAX, CREDIT_MAX } from './media.service';

/** A form field: a string whatever a browser (or a forged request) sends, else a French message. */
const text = (max: number, tooLong: string) => z.string({ error: 'Cette valeur n’est pas lisible.' }).trim().max(max, tooLong).default('');

/** Alt text and credit, at upload and when edited. */
export const MediaMetaSchema = z.object({
  alt: text(ALT_MAX, 'Le texte alternatif doit tenir en 500 caractères.'),
  credit: text(CREDIT_MAX, 'Le crédit doit tenir en 200 caractères.'),
});
export type MediaMeta = z.infer<typeof MediaMetaSchema>;

/** ?q=&page= of the library page and of the picker's JSON. */
export function listQuery(query: unknown): { q: string } {
  const q = (str((query as Record<string, unknown> | undefined)?.q) ?? '').trim().slice(0, 200);
  return { q };
}

/** A media id from the URL; anything else is a page that does not exist. */
export function mediaId(raw: unknown): number {
  const s = str(raw) ?? '';
  // Nine digits at most: a tenth could pass PostgreSQL's integer range (2,147,483,647) and fail there.
  if (!/^[1-9][0-9]{0,8}$/.test(s)) throw new NotFoundError('Cette image n’existe pas ou plus.');
  return Number(s);
}
