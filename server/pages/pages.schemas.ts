import { z } from 'zod';
import { MENUS } from './menu.links';
import { PAGE_STATUSES, type Page, type PageInput } from './pages.types';

/** A form field: a string, whatever the browser (or a forged request) sends, else a French message. */
const text = (max: number, tooLong: string) => z.string({ error: 'Cette valeur n’est pas lisible.' }).max(max, tooLong).default('');

const optionalId = (message: string) =>
  z
    .string({ error: message })
    .default('')
    .transform((v, ctx) => {
      if (v.trim() === '') return null;
      if (!/^\d{1,9}$/.test(v.trim())) {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
      return Number(v.trim());
    });

export const PageFormSchema = z.object({
  title: z.string({ error: 'Indiquez un titre.' }).trim().min(1, 'Indiquez un titre.').max(200, 'Le titre est trop long (200 caractères au plus).'),
  slug: text(200, 'L’adresse est trop longue (80 caractères au plus).'),
  parentId: optionalId('Choisissez une page proposée.'),
  summary: text(300, 'Le résumé est trop long (300 caractères au plus).'),
  body: text(100_000, 'Le texte est trop long (100 000 caractères au plus).'),
  status: z.enum(PAGE_STATUSES, 'Choisissez « Brouillon » ou « En ligne ».').default('draft'),
});

export type PageForm = z.infer<typeof PageFormSchema>;

export const VersionSchema = z.object({
  version: z
    .string({ error: 'Le formulaire ne dit pas quelle version vous modifiez : rechargez la page.' })
    .regex(/^\d{1,9}$/, 'Le formulaire ne dit pas quelle version vous modifiez : rechargez la page.')
    .transform(Number),
});

export function formToInput(f: PageForm): PageInput {
  return { title: f.title, slug: f.slug, parentId: f.parentId, summary: f.summary.trim(), bodyMd: f.body, status: f.status };
}

/** What the form shows: strings as typed, or the page's own values. */
export interface PageFormValues {
  title: string;
  slug: string;
  parentId: string;
  summary: string;
  body: string;
  status: string;
  version?: string;
}

export function valuesFromPage(p: Page): PageFormValues {
  return {
    title: p.title,
    slug: p.slug,
    parentId: p.parentId === null ? '' : String(p.parentId),
    summary: p.summary,
    body: p.bodyMd,
    status: p.status,
    version: String(p.version),
  };
}

export function valuesFromBody(body: unknown): PageFormValues {
  const b = (body ?? {}) as Record<string, unknown>;
  const s = (k: string) => (typeof b[k] === 'string' ? (b[k] as string) : '');
  return {
    title: s('title'),
    slug: s('slug'),
    parentId: s('parentId'),
    summary: s('summary'),
    body: s('body'),
    status: s('status') || 'draft',
    version: s('version'),
  };
}

const tokenList = z
  .union([z.string(), z.array(z.string())], { error: 'Le menu envoyé n’est pas lisible : rechargez la page et recommencez.' })
  .default([])
  .transform((v) => (Array.isArray(v) ? v : [v]));

/**
 * One menu's form: its entries in order, and what to do. Without JavaScript, "Monter",
 * "Descendre" and "Retirer" are buttons of this form naming the entry's position; with it, the
 * order is changed in the page and sent with "Enregistrer l'ordre".
 */
export const MenuFormSchema = z.object({
  menu: z.enum(MENUS, 'Ce menu n’existe pas.'),
  entries: tokenList,
  action: z
    .string({ error: 'Cette action n’existe pas.' })
    .default('save')
    .refine((v) => /^(save|add|(up|down|remove):\d{1,3})$/.test(v), 'Cette action n’existe pas.'),
  add: z.string({ error: 'Choisissez une entrée proposée.' }).max(60, 'Choisissez une entrée proposée.').default(''),
});

export const DeleteSchema = z.object({
  confirm: z.literal('oui', 'Cochez la case pour confirmer la suppression.'),
});
