import { z } from 'zod';
import type { CommuneSettings } from './settings.defaults';
import type { PartialSettings } from './settings.service';

/** The settings form is flat (one input per field); the schema turns it into CommuneSettings. */

const INVALID = 'Ce champ n’est pas valide.';

const text = (max: number, tooLong: string) => z.string(INVALID).trim().max(max, tooLong).default('');

const colour = (message: string) =>
  z
    .string(message)
    .trim()
    .toLowerCase()
    .regex(/^#[0-9a-f]{6}$/, message);

function isHttpsUrl(v: string): boolean {
  if (!/^https:\/\/\S+$/.test(v)) return false;
  try {
    return new URL(v).protocol === 'https:';
  } catch {
    return false;
  }
}

const socialLink = z
  .string(INVALID)
  .trim()
  .max(300, 'Cette adresse est trop longue (300 caractères au plus).')
  .default('')
  .refine((v) => v === '' || isHttpsUrl(v), 'Indiquez une adresse complète commençant par https://.');

const optionalEmail = z
  .string(INVALID)
  .trim()
  .max(254, 'Cette adresse e-mail est trop longue.')
  .default('')
  .refine((v) => v === '' || z.email().safeParse(v).success, 'Cette adresse e-mail n’est pas valide.');

const checkbox = z
  .union([z.string(INVALID), z.array(z.string(INVALID))])
  .optional()
  .transform((v) => v !== undefined && v !== '' && v !== '0');

const FormFields = z.object({
  name: z.string('Indiquez le nom de la commune.').trim().min(1, 'Indiquez le nom de la commune.').max(120, 'Ce nom est trop long (120 caractères au plus).'),
  address: text(300, 'Cette adresse est trop longue (300 caractères au plus).'),
  postalCode: z
    .string(INVALID)
    .trim()
    .default('')
    .refine((v) => v === '' || /^\d{5}$/.test(v), 'Le code postal compte 5 chiffres.'),
  city: text(120, 'Ce nom est trop long (120 caractères au plus).'),
  phone: z
    .string(INVALID)
    .trim()
    .max(30, 'Ce numéro est trop long.')
    .default('')
    .refine((v) => v === '' || /^\+?[\d\s.()-]{6,}$/.test(v), 'Ce numéro de téléphone n’est pas valide.'),
  email: optionalEmail,
  publicationDirector: text(200, 'Ce texte est trop long (200 caractères au plus).'),
  dpoContact: text(500, 'Ce texte est trop long (500 caractères au plus).'),
  host: text(500, 'Ce texte est trop long (500 caractères au plus).'),
  logoMediaId: z
    .string(INVALID)
    .trim()
    .default('')
    .refine((v) => v === '' || /^\d{1,9}$/.test(v), 'Choisissez une image de la médiathèque.')
    .transform((v) => (v === '' ? null : Number(v))),
  primary: colour('Indiquez une couleur au format #rrggbb.'),
  onPrimary: colour('Indiquez une couleur au format #rrggbb.'),
  accent: colour('Indiquez une couleur au format #rrggbb.'),
  onAccent: colour('Indiquez une couleur au format #rrggbb.'),
  facebook: socialLink,
  mastodon: socialLink,
  bluesky: socialLink,
  x: socialLink,
  instagram: socialLink,
  linkedin: socialLink,
  requireApproval: checkbox,
  a11yStatus: z.enum(['totalement', 'partiellement', 'non'], 'Choisissez l’état de conformité.'),
  a11yAuditDate: z
    .string(INVALID)
    .trim()
    .default('')
    .refine((v) => v === '' || (/^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v))), 'Indiquez une date valide.'),
  a11yRgaaVersion: text(20, 'Ce texte est trop long (20 caractères au plus).'),
  a11yNonCompliant: text(5000, 'Ce texte est trop long (5 000 caractères au plus).'),
  a11yContact: text(500, 'Ce texte est trop long (500 caractères au plus).'),
  statsRetentionMonths: z
    .string(INVALID)
    .trim()
    .default('')
    .refine((v) => v === '' || (/^\d{1,2}$/.test(v) && Number(v) >= 1 && Number(v) <= 25), 'Indiquez un nombre de mois entre 1 et 25.')
    // Left empty: the longest the CNIL allows, which is also the default.
    .transform((v) => (v === '' ? 25 : Number(v))),
});

export const SettingsFormSchema = FormFields.transform((f): CommuneSettings => ({
  name: f.name,
  address: f.address,
  postalCode: f.postalCode,
  city: f.city,
  phone: f.phone,
  email: f.email,
  publicationDirector: f.publicationDirector,
  dpoContact: f.dpoContact,
  host: f.host,
  logoMediaId: f.logoMediaId,
  colors: { primary: f.primary, onPrimary: f.onPrimary, accent: f.accent, onAccent: f.onAccent },
  social: { facebook: f.facebook, mastodon: f.mastodon, bluesky: f.bluesky, x: f.x, instagram: f.instagram, linkedin: f.linkedin },
  requireApproval: f.requireApproval,
  accessibility: {
    status: f.a11yStatus,
    auditDate: f.a11yAuditDate,
    rgaaVersion: f.a11yRgaaVersion,
    nonCompliant: f.a11yNonCompliant,
    contact: f.a11yContact,
  },
  statsRetentionMonths: f.statsRetentionMonths,
}));

/**
 * The colours and the logo that can be read from a form refused for other fields: the commune's
 * own rules (contrast, logo in the library) are checked on them so that one answer says it all.
 */
export function readableParts(body: unknown): PartialSettings {
  const b = (body ?? {}) as Record<string, unknown>;
  const read = <T>(schema: z.ZodType<T>, v: unknown): T | undefined => {
    const r = schema.safeParse(v);
    return r.success ? r.data : undefined;
  };
  const f = FormFields.shape;
  return {
    colors: {
      primary: read(f.primary, b.primary),
      onPrimary: read(f.onPrimary, b.onPrimary),
      accent: read(f.accent, b.accent),
      onAccent: read(f.onAccent, b.onAccent),
    },
    logoMediaId: read(f.logoMediaId, b.logoMediaId),
  };
}

/** The flat form values for a stored CommuneSettings (to fill the form). */
export function formValues(s: CommuneSettings): Record<string, string | boolean> {
  return {
    name: s.name,
    address: s.address,
    postalCode: s.postalCode,
    city: s.city,
    phone: s.phone,
    email: s.email,
    publicationDirector: s.publicationDirector,
    dpoContact: s.dpoContact,
    host: s.host,
    logoMediaId: s.logoMediaId === null ? '' : String(s.logoMediaId),
    primary: s.colors.primary,
    onPrimary: s.colors.onPrimary,
    accent: s.colors.accent,
    onAccent: s.colors.onAccent,
    ...s.social,
    requireApproval: s.requireApproval,
    a11yStatus: s.accessibility.status,
    a11yAuditDate: s.accessibility.auditDate,
    a11yRgaaVersion: s.accessibility.rgaaVersion,
    a11yNonCompliant: s.accessibility.nonCompliant,
    a11yContact: s.accessibility.contact,
    statsRetentionMonths: String(s.statsRetentionMonths),
  };
}

/** What the user typed, as strings, to put back in the form after an error. */
export function typedValues(body: unknown): Record<string, string | boolean> {
  const b = (body ?? {}) as Record<string, unknown>;
  const out: Record<string, string | boolean> = {};
  for (const [k, v] of Object.entries(b)) {
    if (k === '_csrf') continue;
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') out[k] = first;
  }
  out.requireApproval = typeof b.requireApproval === 'string' && b.requireApproval !== '' && b.requireApproval !== '0';
  return out;
}
