import { Router } from 'express';
import type { Container } from '../container';
import { DomainError, ForbiddenError, ValidationError } from '../http/errors';
import { brevoEvents, FeedbackFormatError, hasWebhookSecret, mailjetEvents, type FeedbackEvent } from './sending-feedback';

type Deps = Pick<Container, 'campaignSender' | 'config'>;

class UnauthorizedError extends DomainError {
  constructor() {
    super('Secret du webhook absent ou incorrect.', 401);
  }
}

/**
 * Bounces and complaints reported by Brevo and Mailjet after the send. Nothing is read or
 * written before the secret is checked; without NEWSLETTER_WEBHOOK_SECRET every call is refused.
 */
export function webhooksRoutes(c: Deps): Router {
  const router = Router();
  const secret = c.config.newsletter.webhookSecret;

  const hook = (parse: (body: unknown) => FeedbackEvent[]) =>
    async function handle(req: import('express').Request, res: import('express').Response) {
      if (!secret) throw new ForbiddenError('Les webhooks de la lettre ne sont pas activés sur cette installation (NEWSLETTER_WEBHOOK_SECRET).');
      if (!hasWebhookSecret(req.get('authorization'), secret)) {
        res.set('WWW-Authenticate', 'Basic realm="crieur-webhooks"');
        throw new UnauthorizedError();
      }
      let events: FeedbackEvent[];
      try {
        events = parse(req.body);
      } catch (err) {
        if (err instanceof FeedbackFormatError) throw new ValidationError('Le contenu reçu n’est pas un événement reconnu.');
        throw err;
      }
      const applied = await c.campaignSender.recordFeedback(events);
      res.json({ ok: true, applied });
    };

  router.post('/webhooks/newsletter/brevo', hook(brevoEvents));
  router.post('/webhooks/newsletter/mailjet', hook(mailjetEvents));
  return router;
}
