import { z } from 'zod';
import { fromLocalInput, skippedLocalTime } from '../i18n/format';
import { SKIPPED_TIME } from '../i18n/skipped-time';
import { DEFAULT_NEWSLETTER_SETTINGS, type NewsletterSettings } from '../settings/settings.defaults';
import { MAX_TEST_ADDRESSES } from './campaigns.service';

const INVALID = 'Ce champ n’est pas valide.';
const oneLine = (v: string) => !/[\r\n]/.test(v);

const ids = z
  .union([z.string(INVALID), z.array(z.string(INVALID)).max(200, 'Une lettre contient 12 articles au plus.')])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
  .refine((v) => v.every((s) => /^\d{1,9}$/.test(s)), 'Choisissez des articles proposés.')
  .transform((v) => v.map(Number));

/** A letter composed by hand: subject, introduction, articles. */
export const ComposeSchema = z.object({
  subject: z
    .string('Indiquez l’objet de la lettre.')
    .trim()
    .min(1, 'Indiquez l’objet de la lettre.')
    .max(150, 'Cet objet est trop long (150 caractères au plus).')
    .refine(oneLine, 'L’objet tient sur une seule ligne.'),
  intro: z.string(INVALID).trim().max(3000, 'Cette introduction est trop longue (3 000 caractères au plus).').default(''),
  articleIds: ids,
});

/** Addresses for a test send, separated by commas, spaces or lines. */
export const TestSendSchema = z.object({
  addresses: z
    .string('Indiquez au moins une adresse e-mail.')
    .max(2000, 'Indiquez 5 adresses au plus.')
    .transform((v) => v.split(/[\s,;]+/).filter(Boolean))
    .refine((v) => v.length > 0, 'Indiquez au moins une adresse e-mail.')
    .refine((v) => v.length <= MAX_TEST_ADDRESSES, 'Indiquez 5 adresses au plus.')
    .refine((v) => v.every((a) => a.length <= 254 && z.email().safeParse(a).success), 'Une de ces adresses e-mail n’est pas valide.'),
});

/** When to send: a local time in the commune's time zone, or now. */
export function scheduleSchema(timeZone: string) {
  return z.object({
    scheduledFor: z
      .string(INVALID)
      .trim()
      .default('')
      .refine((v) => v === '' || fromLocalInput(v, timeZone) !== null, 'Indiquez une date et une heure valides.')
      // Refused, not moved: the officer chose the hour (the route words it: explainSkippedTimes).
      .refine((v) => v === '' || !skippedLocalTime(v, timeZone), SKIPPED_TIME)
      .transform((v) => (v === '' ? null : fromLocalInput(v, timeZone))),
  });
}

const time = z
  .string(INVALID)
  .trim()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Indiquez une heure au format HH:MM.');

/** The newsletter settings form. */
export const NewsletterSettingsSchema = z
  .object({
    digestDay: z
      .string(INVALID)
      .regex(/^[0-6]$/, 'Choisissez un jour de la semaine.')
      .transform(Number),
    digestTime: time,
    windowStart: time,
    windowEnd: time,
    hourlyCap: z
      .string(INVALID)
      .trim()
      .regex(/^\d{1,7}$/, 'Indiquez un nombre entier de messages par heure.')
      .transform(Number)
      .refine((n) => n >= 1, 'Indiquez au moins 1 message par heure.'),
    senderName: z.string(INVALID).trim().max(120, 'Ce nom est trop long (120 caractères au plus).').refine(oneLine, INVALID).default(''),
    senderEmail: z
      .string(INVALID)
      .trim()
      .max(254, 'Cette adresse e-mail est trop longue.')
      .default('')
      .refine((v) => v === '' || z.email().safeParse(v).success, 'Cette adresse e-mail n’est pas valide.'),
  })
  .refine((s) => s.windowStart < s.windowEnd, { path: ['windowEnd'], message: 'La fin de la plage d’envoi doit suivre son début.' })
  .transform((s): NewsletterSettings => ({ ...DEFAULT_NEWSLETTER_SETTINGS, ...s }));
