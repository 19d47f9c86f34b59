import { z } from 'zod';

export const EXPIRED_MESSAGE = 'Le formulaire a expiré. Rechargez la page et recommencez.';
export const PERIOD_MESSAGE = 'Choisissez une période de 7, 30 ou 90 jours.';

/** The audience page's period, in days (query string `periode`). */
export const ReportQuerySchema = z.object({
  periode: z.enum(['7', '30', '90'], { message: PERIOD_MESSAGE }).default('30'),
});

/** The public opt-out form: a signed token (no session on the public site) and the choice. */
export const OptOutSchema = z.object({
  _token: z.string({ message: EXPIRED_MESSAGE }).max(64),
  choix: z.enum(['refuser', 'accepter'], { message: 'Choisissez de refuser ou d’accepter la mesure d’audience.' }),
});
