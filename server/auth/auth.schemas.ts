import { z } from 'zod';

export const LoginSchema = z.object({
  email: z.string().trim().min(1, 'Indiquez votre adresse e-mail.').max(254),
  password: z.string().min(1, 'Indiquez votre mot de passe.').max(1024),
  next: z.string().optional(),
});

export const ForgotSchema = z.object({
  email: z.email('Cette adresse e-mail n’est pas valide.').max(254),
});

export const SetPasswordSchema = z
  .object({
    password: z.string().min(1, 'Choisissez un mot de passe.').max(256, 'Ce mot de passe est trop long (256 caractères au plus).'),
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { path: ['confirm'], message: 'Les deux mots de passe ne sont pas identiques.' });

export const ChangePasswordSchema = z
  .object({
    current: z.string().min(1, 'Indiquez votre mot de passe actuel.').max(1024),
    password: z.string().min(1, 'Choisissez un mot de passe.').max(256, 'Ce mot de passe est trop long (256 caractères au plus).'),
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { path: ['confirm'], message: 'Les deux mots de passe ne sont pas identiques.' });

export const LocaleSchema = z.object({ locale: z.enum(['fr', 'en'], 'Choisissez une langue proposée.') });

/** Only same-site paths are followed after login, never another host. */
export function safeNext(next: string | undefined): string {
  return next && /^\/admin(\/|$)/.test(next) && !next.startsWith('//') ? next : '/admin';
}
