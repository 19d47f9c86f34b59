import { z } from 'zod';
import { ValidationError } from '../http/errors';
import { str } from '../http/validate';
import { truncateQuery } from './search.text';

/** /recherche?q=: anything typed is a valid query; punctuation and operators are just ignored. */
export const SearchQuerySchema = z.object({
  q: z.preprocess(str, z.string().optional()).transform((v) => truncateQuery((v ?? '').trim())),
});

export const API_MAX_PER_PAGE = 100;
export const API_DEFAULT_PER_PAGE = 20;

const wholeNumber = (message: string, max: number) =>
  z
    .string({ error: message })
    .regex(/^\d{1,9}$/, message)
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, message)
    .optional();

/** GET /api/v1/articles: each parameter at most once. */
export const ApiListQuerySchema = z.object({
  page: wholeNumber('Le paramètre page doit être un nombre entier à partir de 1.', 100_000),
  per_page: wholeNumber('Le paramètre per_page doit être un nombre entier entre 1 et 100.', API_MAX_PER_PAGE),
  categorie: z
    .string({ error: 'Le paramètre categorie doit être l’identifiant d’une catégorie, comme « travaux ».' })
    .regex(/^[a-z0-9-]{1,80}$/, 'Le paramètre categorie doit être l’identifiant d’une catégorie, comme « travaux ».')
    .optional(),
});

export type ApiListQuery = z.infer<typeof ApiListQuerySchema>;

/** Like parseForm, for a query string read by programs: the first problem becomes the message. */
export function parseQuery<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw new ValidationError(result.error.issues[0]?.message ?? 'La requête est mal formée.');
}
