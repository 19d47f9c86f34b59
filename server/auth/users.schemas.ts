import { z } from 'zod';
import { ROLES } from './permissions';

const role = z.enum(ROLES, 'Choisissez un rôle proposé.');

export const InviteSchema = z.object({
  displayName: z
    .string('Indiquez le nom de la personne.')
    .trim()
    .min(1, 'Indiquez le nom de la personne.')
    .max(120, 'Ce nom est trop long (120 caractères au plus).'),
  email: z
    .string('Cette adresse e-mail n’est pas valide.')
    .trim()
    .max(254, 'Cette adresse e-mail est trop longue.')
    .pipe(z.email('Cette adresse e-mail n’est pas valide.')),
  role,
});

export const RoleSchema = z.object({ role });

/** Ids in paths: anything else is a page that does not exist. */
export const IdParam = z.coerce
  .number()
  .int()
  .positive()
  .max(2 ** 31 - 1);
