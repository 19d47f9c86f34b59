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

  /** Windows started before `dayAgo` and no longer locked at `iso`: forgotten by the daily purge. */
  purgeStale(dayAgo: string, iso: string): Promise<number> {
    return this.repo.purgeStale(dayAgo, iso);
  }

  keys(email: string, ip: string): { account: string; ip: string } {
    const h = (s: string) => crypto.createHmac('sha256', this.secret).update(s).digest('hex').slice(0, 40);
    return { account: `account:${h(email.toLowerCase())}`, ip: `ip:${h(ip)}` };
  }

  /**
   * Takes one attempt for the account and for the address before the password is checked, so
   * that concurrent guesses count at once: past the limit the attempt is refused unchecked.
   */
  async beginAttempt(email: string, ip: string): Promise<void> {
    const now = this.clock.now();
    const windowStart = new Date(now.getTime() - WINDOW_MS);
    for (const [kind, key] of Object.entries(this.keys(email, ip)) as ['account' | 'ip', string][]) {
      const { attempts, lockedUntil } = await this.repo.countAttempt(key, now, windowStart);
      if (lockedUntil && lockedUntil > now) throw this.refusal(lockedUntil, now);
      if (attempts > LIMITS[kind]) {
        const until = new Date(now.getTime() + LOCK_MS);
        await this.repo.lock(key, until, now);
        throw this.refusal(until, now);
      }
    }
  }

  /** A wrong password: the attempt stays counted, and the one that reaches the limit locks. */
  async recordFailure(email: string, ip: string): Promise<void> {
    const now = this.clock.now();
    for (const [kind, key] of Object.entries(this.keys(email, ip)) as ['account' | 'ip', string][]) {
      const s = await this.repo.get(key);
      if (s && s.failures >= LIMITS[kind]) await this.repo.lock(key, new Date(now.getTime() + LOCK_MS), now);
    }
  }

  private refusal(until: Date, now: Date): TooManyRequestsError {
    const minutes = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
    return new TooManyRequestsError(
      'Trop de tentatives de connexion. Réessayez dans {minutes} minutes ou demandez un nouveau mot de passe.',
      { minutes },
      minutes * 60,
    );
  }

  async recordSuccess(email: string, ip: string): Promise<void> {
    const keys = this.keys(email, ip);
    await this.repo.clear(keys.account);
    await this.repo.giveBack(keys.ip);
  }

  /** A new password chosen through an e-mailed link proves the owner: the account lock goes. */
  async unlockAccount(email: string): Promise<void> {
    await this.repo.clear(this.keys(email, '').account);
  }
}
