import type { z } from 'zod';
import { ValidationError } from './errors';

/**
 * Parses a form or JSON body with a zod schema. On failure, throws a ValidationError with one
 * message per field; schemas carry French messages that are i18n keys.
 */
export function parseForm<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.join('.') || '_form';
    fields[key] ??= issue.message;
  }
  throw new ValidationError('Le formulaire contient des erreurs : corrigez les champs signalés.', fields);
}

/** Query-string and form values arrive as strings or arrays; this keeps the first string. */
export function str(v: unknown): string | undefined {
  if (Array.isArray(v)) return str(v[0]);
  return typeof v === 'string' ? v : undefined;
}
