import { z } from 'zod';

const displayName = z
  .string('Indiquez votre nom.')
  .trim()
  .min(1, 'Indiquez votre nom.')
  .max(120, 'Ce nom est trop long (120 caractères au plus).')
  // Shown in the admin's header and in e-mails' greetings: one line.
  .refine((v) => !/[\r\n\t]/.test(v), 'Le nom tient sur une seule ligne.');

const password = z
  .string('Choisissez un mot de passe.')
  .min(1, 'Choisissez un mot de passe.')
  .max(256, 'Ce mot de passe est trop long (256 caractères au plus).');

export const ProfileSchema = z.object({ displayName });

export const EmailChangeSchema = z.object({
  email: z
    .string('Cette adresse e-mail n’est pas valide.')
    .trim()
    .max(254, 'Cette adresse e-mail est trop longue.')
    .pipe(z.email('Cette adresse e-mail n’est pas valide.')),
  current: z.string('Indiquez votre mot de passe actuel.').min(1, 'Indiquez votre mot de passe actuel.').max(1024),
});

export const NewPasswordSchema = z
  .object({ displayName, password, confirm: z.string('Confirmez le mot de passe.') })
  .refine((v) => v.password === v.confirm, { path: ['confirm'], message: 'Les deux mots de passe ne sont pas identiques.' });
