import crypto from 'node:crypto';
import type { ThrottleRepository } from '../auth/throttle.repository';
import type { Clock } from '../clock';
import { TooManyRequestsError } from '../http/errors';

// Per /24 (IPv4) or /48 (IPv6) network: a household or a town-hall counter shares one address,
// a bot farm rarely stays inside one network.
const SUBSCRIBE_LIMIT = 10;
const SUBSCRIBE_WINDOW_MS = 3600_000;
const MAILS_PER_ADDRESS = 3;
const MAILS_WINDOW_MS = 86_400_000;

/**
 * The limits of the public subscription form: requests per network, and e-mails per address
 * (someone typing another person's address again and again must not fill their mailbox). Keys
 * are keyed hashes: neither the address nor the network is stored.
 */
export class SubscribeThrottle {
  constructor(
    private readonly throttle: ThrottleRepository,
    private readonly throttleKey: Buffer,
    private readonly clock: Clock,
  ) {}

  async mailAllowed(email: string): Promise<boolean> {
    const now = this.clock.now();
    const key = `newsletter-mail:${crypto.createHmac('sha256', this.throttleKey).update(email).digest('hex').slice(0, 40)}`;
    const { attempts } = await this.throttle.countAttempt(key, now, new Date(now.getTime() - MAILS_WINDOW_MS));
    return attempts <= MAILS_PER_ADDRESS;
  }

  async countRequest(network: string): Promise<void> {
    const now = this.clock.now();
    const key = `newsletter:${crypto.createHmac('sha256', this.throttleKey).update(network).digest('hex').slice(0, 40)}`;
    const { attempts } = await this.throttle.countAttempt(key, now, new Date(now.getTime() - SUBSCRIBE_WINDOW_MS));
    if (attempts > SUBSCRIBE_LIMIT) {
      throw new TooManyRequestsError('Trop de demandes d’inscription depuis votre réseau. Réessayez dans une heure.', {}, SUBSCRIBE_WINDOW_MS / 1000);
    }
  }
}
