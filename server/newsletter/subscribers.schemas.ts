import { z } from 'zod';
import { ValidationError } from '../http/errors';
import { SUBSCRIBE_WORDINGS } from './consent';

export const INVALID_EMAIL = 'Cette adresse e-mail n’est pas valide.';

/**
 * One address, whole: a list, a name, a line break (header injection) or an over-long string
 * is refused, never cut down to something that would be sent to.
 */
export const EmailField = z
  .string(INVALID_EMAIL)
  .trim()
  .max(254, 'Cette adresse e-mail est trop longue.')
  .refine((s) => !/[\s,;<>"]/.test(s), INVALID_EMAIL)
  .pipe(z.email(INVALID_EMAIL));

/** Checkbox lists arrive as one string or several; ids only, a handful at most. */
const TopicList = z
  .union([z.string(), z.array(z.string()).max(100, 'Trop de rubriques cochées.')])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
  .pipe(
    z.array(
      z
        .string()
        .regex(/^\d{1,9}$/, 'Choisissez des rubriques proposées.')
        .transform(Number),
    ),
  );

const Checkbox = z
  .union([z.literal('oui'), z.literal('on')])
  .optional()
  .transform((v) => v !== undefined);

export const SubscribeSchema = z.object({
  email: EmailField,
  topics: TopicList,
  alertsOnly: Checkbox,
  consent: z.literal('oui', 'Cochez la case pour accepter de recevoir la lettre.'),
  wording: z.string().refine((v) => Object.hasOwn(SUBSCRIBE_WORDINGS, v), 'Le formulaire a changé depuis son affichage : rechargez la page et recommencez.'),
});
export type SubscribeInput = z.infer<typeof SubscribeSchema>;

export const PreferencesSchema = z.object({ topics: TopicList, alertsOnly: Checkbox });

export const TrackingSchema = z.object({ tracking: z.enum(['oui', 'non'], 'Choisissez oui ou non.') });

/** The staff's import: a stated consent source is required (RULES-FR). */
export const ImportSchema = z.object({
  basis: z
    .string('Indiquez d’où viennent ces adresses et comment les personnes ont accepté.')
    .trim()
    .min(10, 'Indiquez d’où viennent ces adresses et comment les personnes ont accepté (10 caractères au moins).')
    .max(500, 'Cette description est trop longue (500 caractères au plus).')
    .refine((s) => !/[\r\n]/.test(s), 'Écrivez la description sur une seule ligne.'),
  csv: z.string().max(2_000_000, 'Ce fichier est trop lourd : 2 Mo au plus.').optional(),
  /** What the people agreed to: a version of the site's sentence, or 'autre' and the words themselves. */
  wording: z.string().max(40).optional(),
  wordingText: z.string().trim().max(1000, 'Ce texte est trop long (1 000 caractères au plus).').optional(),
});

export const OWN_WORDING = 'autre';
const AGREED_MISSING = 'Indiquez ce que les personnes ont accepté : la phrase du site (et sa version) ou le texte qu’elles ont signé.';

/**
 * The consent proof of addresses imported as subscribed at once: which version of the site's
 * sentence they accepted, or, for words of their own (a paper form), the text itself.
 */
export function agreedWording(form: { wording?: string; wordingText?: string }): { version: string } | { text: string } {
  if (form.wording === OWN_WORDING) {
    const text = form.wordingText ?? '';
    if (text.length < 10)
      throw new ValidationError('Recopiez le texte que les personnes ont accepté (10 caractères au moins).', {
        wordingText: 'Recopiez le texte que les personnes ont accepté (10 caractères au moins).',
      });
    return { text };
  }
  if (form.wording && Object.hasOwn(SUBSCRIBE_WORDINGS, form.wording)) return { version: form.wording };
  throw new ValidationError(AGREED_MISSING, { wording: AGREED_MISSING });
}

export const ListQuerySchema = z.object({
  q: z.string().trim().max(254).optional().catch(undefined),
  status: z.enum(['pending', 'confirmed']).optional().catch(undefined),
  topic: z.coerce
    .number()
    .int()
    .positive()
    .max(2 ** 31 - 1)
    .optional()
    .catch(undefined),
});

export const IdParam = z.coerce
  .number()
  .int()
  .positive()
  .max(2 ** 31 - 1);

/** A resident registered at the desk by an officer, who notes how the person agreed. */
export const DeskSchema = z.object({
  email: EmailField,
  topics: TopicList,
  alertsOnly: Checkbox,
  consent: z.literal('oui', 'Cochez la case : la personne a lu la phrase de consentement et l’accepte.'),
  basis: z
    .string()
    .trim()
    .max(500, 'Cette description est trop longue (500 caractères au plus).')
    .refine((s) => !/[\r\n]/.test(s), 'Écrivez la description sur une seule ligne.')
    .optional()
    .transform((s) => s || 'Inscription au guichet de la mairie'),
});
