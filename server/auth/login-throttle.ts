import crypto from 'node:crypto';
import type { Clock } from '../clock';
import { TooManyRequestsError } from '../http/errors';
import type { ThrottleRepository } from './throttle.repository';

/**
 * Slows password guessing: 5 failures on one account, or 20 from one address, within 15 minutes
 * lock that account or address for 15 minutes. Addresses are kept only as a keyed hash.
 */
const WINDOW_MS = 15 * 60_000;
const LOCK_MS = 15 * 60_000;
const LIMITS = { account: 5, ip: 20 } as const;

export class LoginThrottle {
  constructor(
    private readonly repo: ThrottleRepository,
    private readonly clock: Clock,
    private readonly secret: string,
  ) {}

  keys(email: string, ip: string): { account: string; ip: string } {
    const h = (s: string) => crypto.createHmac('sha256', this.secret).update(s).digest('hex').slice(0, 40);
    return { account: `account:${h(email.toLowerCase())}`, ip: `ip:${h(ip)}` };
  }

  async assertAllowed(email: string, ip: string): Promise<void> {
    const now = this.clock.now().getTime();
    for (const key of Object.values(this.keys(email, ip))) {
      const s = await this.repo.get(key);
      if (s?.lockedUntil && s.lockedUntil.getTime() > now) {
        const minutes = Math.ceil((s.lockedUntil.getTime() - now) / 60_000);
        throw new TooManyRequestsError(
          'Trop de tentatives de connexion. Réessayez dans {minutes} minutes ou demandez un nouveau mot de passe.',
          { minutes },
          minutes * 60,
        );
      }
    }
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    const now = this.clock.now();
    const keys = this.keys(email, ip);
    for (const [kind, key] of Object.entries(keys) as ['account' | 'ip', string][]) {
      const s = await this.repo.get(key);
      const fresh = !s || now.getTime() - s.windowStartedAt.getTime() > WINDOW_MS;
      const failures = fresh ? 1 : s.failures + 1;
      await this.repo.put(key, {
        failures,
        windowStartedAt: fresh ? now : s.windowStartedAt,
        lockedUntil: failures >= LIMITS[kind] ? new Date(now.getTime() + LOCK_MS) : null,
      });
    }
  }

  async recordSuccess(email: string, ip: string): Promise<void> {
    await this.repo.clear(this.keys(email, ip).account);
  }

  /** A new password chosen through an e-mailed link proves the owner: the account lock goes. */
  async unlockAccount(email: string): Promise<void> {
    await this.repo.clear(this.keys(email, '').account);
  }
}
