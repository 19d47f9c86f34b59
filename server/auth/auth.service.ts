import type { Knex } from 'knex';
import type { Clock } from '../clock';
import type { AuditRepository } from '../audit/audit.repository';
import { ValidationError, DomainError } from '../http/errors';
import { hashPassword, verifyPassword, generatePassword, sha256 } from './hashing';
import type { LoginThrottle } from './login-throttle';
import { checkPassword } from './password-policy';
import type { User, UsersRepository } from './users.repository';
import type { TokensRepository } from './tokens.repository';
import type { KnexSessionStore } from './session-store';
import type { SettingsService } from '../settings/settings.service';

export class InvalidCredentialsError extends DomainError {
  constructor() {
    super('Adresse e-mail ou mot de passe incorrect.', 401);
  }
}

/** Logging in and choosing passwords. Managing other people's accounts is in users.service.ts. */
export class AuthService {
  constructor(
    private readonly db: Knex,
    private readonly users: UsersRepository,
    private readonly tokens: TokensRepository,
    private readonly throttle: LoginThrottle,
    private readonly audit: AuditRepository,
    private readonly settings: SettingsService,
    private readonly clock: Clock,
    private readonly sessions: KnexSessionStore,
  ) {}

  async login(email: string, password: string, ip: string): Promise<User> {
    await this.throttle.beginAttempt(email, ip);
    const user = await this.users.findByEmail(email);
    const ok = await verifyPassword(user?.passwordHash ?? null, password);
    if (!user || !ok || user.disabledAt) {
      await this.throttle.recordFailure(email, ip);
      await this.audit.append(
        { actor: { id: user?.id ?? null, label: user?.displayName ?? 'inconnu' }, action: 'auth.login_failed', targetType: 'user', targetId: user?.id },
        this.clock.now(),
      );
      throw new InvalidCredentialsError();
    }
    await this.throttle.recordSuccess(email, ip);
    await this.db.transaction(async (trx) => {
      await this.users.update(user.id, { lastLoginAt: this.clock.now() }, this.clock.now(), trx);
      await this.audit.append(
        { actor: { id: user.id, label: user.displayName }, action: 'auth.login', targetType: 'user', targetId: user.id },
        this.clock.now(),
        trx,
      );
    });
    return user;
  }

  async logout(user: User): Promise<void> {
    await this.audit.append(
      { actor: { id: user.id, label: user.displayName }, action: 'auth.logout', targetType: 'user', targetId: user.id },
      this.clock.now(),
    );
  }

  async assertAcceptablePassword(password: string, email: string): Promise<void> {
    const problem = checkPassword(password, { email, communeName: (await this.settings.get()).name });
    if (problem) throw new ValidationError(problem.message, { password: problem.message }, problem.vars);
  }

  /** The user behind a one-time link, or null when it is unknown, used or expired. */
  async userForToken(token: string): Promise<User | null> {
    const t = await this.tokens.findValid(sha256(token), this.clock.now());
    // An address-confirmation link never sets a password.
    return t && t.purpose !== 'email' ? this.users.findById(t.userId) : null;
  }

  async setPasswordWithToken(token: string, password: string): Promise<User> {
    const now = this.clock.now();
    const t = await this.tokens.findValid(sha256(token), now);
    const user = t && t.purpose !== 'email' ? await this.users.findById(t.userId) : null;
    if (!t || !user || user.disabledAt) throw new DomainError('Ce lien n’est plus valable. Demandez-en un nouveau.', 410);
    await this.assertAcceptablePassword(password, user.email);
    const hash = await hashPassword(password);
    await this.db.transaction(async (trx) => {
      if (!(await this.tokens.consume(t.id, now, trx))) throw new DomainError('Ce lien n’est plus valable. Demandez-en un nouveau.', 410);
      await this.users.update(user.id, { passwordHash: hash, mustChangePassword: false }, now, trx);
      await this.tokens.revokeAll(user.id, trx);
      // Whoever held the old password is logged out everywhere.
      await this.sessions.endAllOf(user.id, trx);
      await this.audit.append(
        {
          actor: { id: user.id, label: user.displayName },
          action: t.purpose === 'invite' ? 'user.invitation_accepted' : 'user.password_reset',
          targetType: 'user',
          targetId: user.id,
        },
        now,
        trx,
      );
    });
    // The lock message tells a locked-out person to ask for a new password: that must let them in.
    await this.throttle.unlockAccount(user.email);
    return user;
  }

  async changeOwnPassword(user: User, current: string, next: string, keepSessionId: string): Promise<void> {
    const fresh = await this.users.findById(user.id);
    if (!fresh || !(await verifyPassword(fresh.passwordHash, current))) {
      throw new ValidationError('Le mot de passe actuel est incorrect.', { current: 'Le mot de passe actuel est incorrect.' });
    }
    await this.assertAcceptablePassword(next, user.email);
    const hash = await hashPassword(next);
    const now = this.clock.now();
    await this.db.transaction(async (trx) => {
      await this.users.update(user.id, { passwordHash: hash, mustChangePassword: false }, now, trx);
      await this.tokens.revokeAll(user.id, trx);
      await this.sessions.endAllOf(user.id, trx, keepSessionId);
      await this.audit.append(
        { actor: { id: user.id, label: user.displayName }, action: 'user.password_changed', targetType: 'user', targetId: user.id },
        now,
        trx,
      );
    });
  }

  /** Expired sessions, spent or expired links and old throttling rows: nothing worth keeping. */
  async purgeExpired(): Promise<{ sessions: number; tokens: number; throttle: number }> {
    const now = this.clock.now();
    const iso = now.toISOString();
    const dayAgo = new Date(now.getTime() - 86_400_000).toISOString();
    const sessions = await this.sessions.purgeExpired(iso);
    const tokens = await this.tokens.purgeSpent(iso);
    const throttle = await this.throttle.purgeStale(dayAgo, iso);
    return { sessions, tokens, throttle };
  }

  /**
   * Creates the first administrator when there is no account yet. Without a password given,
   * one is generated and returned so that it can be printed once on the console.
   */
  async ensureFirstAdmin(email: string, password?: string): Promise<{ user: User; generatedPassword?: string } | null> {
    if ((await this.users.count()) > 0) return null;
    const generated = password ? undefined : generatePassword();
    const pw = password ?? (generated as string);
    if (password) await this.assertAcceptablePassword(password, email);
    const now = this.clock.now();
    const id = await this.db.transaction(async (trx) => {
      // A printed password has been seen by whoever reads the console: it is replaced at the first login.
      const newId = await this.users.insert(
        { email, displayName: 'Administrateur', role: 'admin', passwordHash: await hashPassword(pw), mustChangePassword: !!generated },
        now,
        trx,
      );
      await this.audit.append(
        { actor: { id: null, label: 'système' }, action: 'user.created', targetType: 'user', targetId: newId, details: { role: 'admin', first: true } },
        now,
        trx,
      );
      return newId;
    });
    return { user: (await this.users.findById(id)) as User, generatedPassword: generated };
  }
}
