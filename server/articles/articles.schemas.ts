import { z } from 'zod';
import { fromLocalInput, skippedLocalTime, toLocalInput } from '../i18n/format';
import { SKIPPED_TIME } from '../i18n/skipped-time';
import { str } from '../http/validate';
import { LIMITS } from './articles.rules';
import { isStatus, STATUSES, type Article, type ArticleFilters, type ArticleInput } from './articles.types';

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

/** datetime-local values are wall-clock times in the commune's zone. */
const localDate = (timeZone: string) =>
  z
    .string({ error: 'Cette date n’est pas valide.' })
    .default('')
    .transform((v, ctx) => {
      if (v.trim() === '') return null;
      const d = fromLocalInput(v, timeZone);
      if (!d) {
        ctx.addIssue({ code: 'custom', message: 'Cette date n’est pas valide : indiquez le jour et l’heure.' });
        return z.NEVER;
      }
      if (skippedLocalTime(v, timeZone)) {
        ctx.addIssue({ code: 'custom', message: SKIPPED_TIME });
        return z.NEVER;
      }
      return d;
    });

export function articleFormSchema(timeZone: string) {
  return z.object({
    title: z.string({ error: 'Indiquez un titre.' }).trim().min(1, 'Indiquez un titre.').max(LIMITS.title, 'Le titre est trop long (200 caractères au plus).'),
    slug: text(300, 'L’adresse est trop longue (150 caractères au plus).'),
    summary: text(LIMITS.summary, 'Le résumé est trop long (300 caractères au plus).'),
    body: text(LIMITS.body, 'Le texte est trop long (100 000 caractères au plus).'),
    categoryId: optionalId('Choisissez une catégorie proposée.'),
    heroMediaId: optionalId('Choisissez une image de la médiathèque.'),
    heroAlt: text(LIMITS.heroAlt, 'Le texte alternatif est trop long (500 caractères au plus).'),
    eventStart: localDate(timeZone),
    eventEnd: localDate(timeZone),
    eventPlace: text(LIMITS.place, 'Le lieu est trop long (200 caractères au plus).'),
    urgent: z
      .string({ error: 'Cette valeur n’est pas lisible.' })
      .optional()
      .transform((v) => v === '1' || v === 'on' || v === 'true'),
    publishAt: localDate(timeZone),
  });
}

export const VersionSchema = z.object({
  version: z
    .string({ error: 'Le formulaire ne dit pas quelle version vous modifiez : rechargez la page.' })
    .regex(/^\d{1,9}$/, 'Le formulaire ne dit pas quelle version vous modifiez : rechargez la page.')
    .transform(Number),
});

/** Which button sent the article form: the form's default (Enter) is "Enregistrer". */
export const IntentSchema = z.object({
  intent: z.enum(['save', 'schedule', 'publish'], 'Cette action n’existe pas.').default('save'),
});

/** "Programmer" or "Déplacer" on its own: the date only. */
export function scheduleSchema(timeZone: string) {
  return z.object({ publishAt: localDate(timeZone) });
}

export const TransitionSchema = z.object({ to: z.enum(STATUSES, 'Ce statut n’existe pas.') });

export const PreviewSchema = z.object({
  body: z.string({ error: 'Cette valeur n’est pas lisible.' }).max(LIMITS.body, 'Le texte est trop long (100 000 caractères au plus).').default(''),
});

export type ArticleForm = z.infer<ReturnType<typeof articleFormSchema>>;

export function formToInput(f: ArticleForm): ArticleInput {
  return {
    title: f.title,
    slug: f.slug.trim(),
    summary: f.summary,
    bodyMd: f.body,
    categoryId: f.categoryId,
    heroMediaId: f.heroMediaId,
    heroAlt: f.heroAlt,
    eventStart: f.eventStart,
    eventEnd: f.eventEnd,
    eventPlace: f.eventPlace,
    urgent: f.urgent,
    publishAt: f.publishAt,
  };
}

export type FormValues = Record<string, string>;

const FORM_FIELDS = [
  'title',
  'slug',
  'summary',
  'body',
  'categoryId',
  'heroMediaId',
  'heroAlt',
  'eventStart',
  'eventEnd',
  'eventPlace',
  'urgent',
  'publishAt',
  'version',
];

/** What the user sent, as strings, to put back in the form when it is shown again with errors. */
export function valuesFromBody(body: unknown): FormValues {
  const b = (body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(FORM_FIELDS.map((k) => [k, str(b[k]) ?? '']));
}

export function valuesFromArticle(a: Article, timeZone: string): FormValues {
  return {
    title: a.title,
    slug: a.slug,
    summary: a.summary,
    body: a.bodyMd,
    categoryId: a.categoryId ? String(a.categoryId) : '',
    heroMediaId: a.heroMediaId ? String(a.heroMediaId) : '',
    heroAlt: a.heroAlt,
    eventStart: toLocalInput(a.eventStart, timeZone),
    eventEnd: toLocalInput(a.eventEnd, timeZone),
    eventPlace: a.eventPlace ?? '',
    urgent: a.urgent ? '1' : '',
    publishAt: toLocalInput(a.publishAt, timeZone),
    version: String(a.version),
  };
}

/** The list's query string: anything unreadable is ignored rather than refused. */
export function filtersFromQuery(query: unknown): { filters: Omit<ArticleFilters, 'limit' | 'offset'>; query: Record<string, string> } {
  const q = (query ?? {}) as Record<string, unknown>;
  const term = (str(q.q) ?? '').trim().slice(0, 200);
  const status = str(q.status) ?? '';
  const category = str(q.category) ?? '';
  const author = str(q.author) ?? '';
  const filters: Omit<ArticleFilters, 'limit' | 'offset'> = {};
  const kept: Record<string, string> = {};
  if (term) {
    filters.q = term;
    kept.q = term;
  }
  if (isStatus(status) || status === 'scheduled' || status === 'proposed') {
    filters.status = status;
    kept.status = status;
  }
  if (/^\d{1,9}$/.test(category)) {
    filters.categoryId = Number(category);
    kept.category = category;
  }
  if (/^\d{1,9}$/.test(author)) {
    filters.authorId = Number(author);
    kept.author = author;
  }
  if (str(q.sort) === 'updated') {
    filters.sort = 'updated';
    kept.sort = 'updated';
  }
  return { filters, query: kept };
}
