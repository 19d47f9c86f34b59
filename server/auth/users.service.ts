import type { Knex } from 'knex';
import type { Clock } from '../clock';
import type { Actor, AuditRepository } from '../audit/audit.repository';
import { ConflictError, NotFoundError, ValidationError } from '../http/errors';
import { translator } from '../i18n/i18n';
import type { OutboxService } from '../mail/outbox.service';
import type { SettingsService } from '../settings/settings.service';
import type { AuthService } from './auth.service';
import { accountLinkEmail } from './emails/account-link.email';
import { generatePassword, hashPassword, newToken } from './hashing';
import type { Role } from './permissions';
import type { TokensRepository } from './tokens.repository';
import type { KnexSessionStore } from './session-store';
import { normalizeEmail, type User, type UsersRepository } from './users.repository';

const INVITE_HOURS = 72;
const RESET_HOURS = 2;

/**
 * An administrator who can act: one who has chosen a password (an invitation still pending does
 * not count) and is not disabled. The last of them cannot be demoted or disabled.
 */
function isActiveAdmin(u: User): boolean {
  return u.role === 'admin' && !u.disabledAt && !!u.passwordHash;
}

/** Accounts managed by an administrator (or the command line): invitations, roles, disabling. */
export class UsersService {
  constructor(
    private readonly db: Knex,
    private readonly users: UsersRepository,
    private readonly tokens: TokensRepository,
    private readonly auth: AuthService,
    private readonly audit: AuditRepository,
    private readonly outbox: OutboxService,
    private readonly settings: SettingsService,
    private readonly clock: Clock,
    private readonly baseUrl: string,
    private readonly sessions: KnexSessionStore,
  ) {}

  list(page: { limit: number; offset: number }) {
    return this.users.list(page);
  }

  async get(id: number): Promise<User> {
    const u = await this.users.findById(id);
    if (!u) throw new NotFoundError('Ce compte n’existe pas.');
    return u;
  }

  /** Creates the account and queues the invitation e-mail in the same transaction. */
  async invite(input: { email: string; displayName: string; role: Role }, actor: Actor & { displayName?: string }): Promise<User> {
    const email = normalizeEmail(input.email);
    if (await this.users.findByEmail(email)) {
      throw new ValidationError('Un compte existe déjà avec cette adresse.', { email: 'Un compte existe déjà avec cette adresse.' });
    }
    const now = this.clock.now();
    const { token, hash } = newToken();
    const { name: commune, requireApproval } = await this.settings.get();
    const id = await this.db.transaction(async (trx) => {
      const userId = await this.users.insert({ email, displayName: input.displayName, role: input.role, passwordHash: null }, now, trx);
      await this.tokens.insert({ userId, purpose: 'invite', hash, expiresAt: new Date(now.getTime() + INVITE_HOURS * 3600_000) }, now, trx);
      const msg = accountLinkEmail({
        purpose: 'invite',
        to: email,
        link: `${this.baseUrl}/admin/password/${token}`,
        communeName: commune,
        inviterName: actor.label,
        validForHours: INVITE_HOURS,
        role: input.role,
        approvalRequired: requireApproval,
        t: translator('fr'),
      });
      await this.outbox.enqueueEmail(trx, msg, `Invitation de ${input.displayName}`);
      await this.audit.append({ actor, action: 'user.invited', targetType: 'user', targetId: userId, details: { role: input.role } }, now, trx);
      return userId;
    });
    this.deliverSoon();
    return this.get(id);
  }

  async resendInvitation(id: number, actor: Actor): Promise<void> {
    const user = await this.get(id);
    if (user.passwordHash) throw new ConflictError('Ce compte a déjà choisi son mot de passe.');
    await this.sendLink(user, 'invite', actor);
  }

  /** "Mot de passe oublié": answers the same whether the address exists or not. */
  async requestPasswordReset(email: string): Promise<void> {
    const user = await this.users.findByEmail(email);
    if (!user || user.disabledAt || !user.passwordHash) return;
    await this.sendLink(user, 'reset', { id: user.id, label: user.displayName });
  }

  private async sendLink(user: User, purpose: 'invite' | 'reset', actor: Actor): Promise<void> {
    const now = this.clock.now();
    const hours = purpose === 'invite' ? INVITE_HOURS : RESET_HOURS;
    const { token, hash } = newToken();
    const commune = (await this.settings.get()).name;
    await this.db.transaction(async (trx) => {
      await this.tokens.insert({ userId: user.id, purpose, hash, expiresAt: new Date(now.getTime() + hours * 3600_000) }, now, trx);
      const msg = accountLinkEmail({
        purpose,
        to: user.email,
        link: `${this.baseUrl}/admin/password/${token}`,
        communeName: commune,
        inviterName: actor.label,
        validForHours: hours,
        role: user.role,
        t: translator(user.locale),
      });
      await this.outbox.enqueueEmail(trx, msg, purpose === 'invite' ? `Invitation de ${user.displayName}` : `Nouveau mot de passe pour ${user.displayName}`);
      await this.audit.append(
        { actor, action: purpose === 'invite' ? 'user.invitation_resent' : 'user.password_reset_requested', targetType: 'user', targetId: user.id },
        now,
        trx,
      );
    });
    this.deliverSoon();
  }

  async changeRole(id: number, role: Role, actor: Actor): Promise<void> {
    const user = await this.get(id);
    if (user.role === role) return;
    await this.db.transaction(async (trx) => {
      if (isActiveAdmin(user) && (await this.users.countActiveAdmins(trx)) <= 1) {
        throw new ConflictError('Il faut garder au moins un administrateur actif.');
      }
      await this.users.update(id, { role }, this.clock.now(), trx);
      await this.audit.append(
        { actor, action: 'user.role_changed', targetType: 'user', targetId: id, details: { from: user.role, to: role } },
        this.clock.now(),
        trx,
      );
    });
  }

  async setDisabled(id: number, disabled: boolean, actor: Actor): Promise<void> {
    const user = await this.get(id);
    if (!!user.disabledAt === disabled) return;
    if (disabled && actor.id === id) throw new ConflictError('Vous ne pouvez pas désactiver votre propre compte.');
    await this.db.transaction(async (trx) => {
      if (disabled && isActiveAdmin(user) && (await this.users.countActiveAdmins(trx)) <= 1) {
        throw new ConflictError('Il faut garder au moins un administrateur actif.');
      }
      await this.users.update(id, { disabledAt: disabled ? this.clock.now() : null }, this.clock.now(), trx);
      if (disabled) await this.sessions.endAllOf(id, trx);
      await this.audit.append({ actor, action: disabled ? 'user.disabled' : 'user.enabled', targetType: 'user', targetId: id }, this.clock.now(), trx);
    });
  }

  async setLocale(user: User, locale: 'fr' | 'en'): Promise<void> {
    await this.users.update(user.id, { locale }, this.clock.now());
  }

  /** Command line: creates an account directly, with a given or generated password. */
  async addFromCli(input: { email: string; role: Role; password?: string; displayName?: string }): Promise<{ user: User; generatedPassword?: string }> {
    const email = normalizeEmail(input.email);
    if (await this.users.findByEmail(email)) throw new ConflictError('Un compte existe déjà avec cette adresse.');
    const generated = input.password ? undefined : generatePassword();
    const pw = input.password ?? (generated as string);
    await this.auth.assertAcceptablePassword(pw, email);
    const now = this.clock.now();
    const id = await this.db.transaction(async (trx) => {
      const newId = await this.users.insert(
        {
          email,
          displayName: input.displayName ?? email.split('@')[0] ?? email,
          role: input.role,
          passwordHash: await hashPassword(pw),
          // A password printed on the terminal is replaced at the first login.
          mustChangePassword: !!generated,
        },
        now,
        trx,
      );
      await this.audit.append(
        { actor: { id: null, label: 'ligne de commande' }, action: 'user.created', targetType: 'user', targetId: newId, details: { role: input.role } },
        now,
        trx,
      );
      return newId;
    });
    return { user: await this.get(id), generatedPassword: generated };
  }

  async resetPasswordFromCli(email: string, password?: string): Promise<{ generatedPassword?: string }> {
    const user = await this.users.findByEmail(email);
    if (!user) throw new NotFoundError('Aucun compte avec cette adresse.');
    const generated = password ? undefined : generatePassword();
    const pw = password ?? (generated as string);
    await this.auth.assertAcceptablePassword(pw, user.email);
    const now = this.clock.now();
    const hash = await hashPassword(pw);
    await this.db.transaction(async (trx) => {
      await this.users.update(user.id, { passwordHash: hash, mustChangePassword: !!generated }, now, trx);
      await this.tokens.revokeAll(user.id, trx);
      await this.sessions.endAllOf(user.id, trx);
      await this.audit.append(
        { actor: { id: null, label: 'ligne de commande' }, action: 'user.password_reset', targetType: 'user', targetId: user.id },
        now,
        trx,
      );
    });
    return { generatedPassword: generated };
  }

  /** Sends queued mail right after the commit; the outbox job retries whatever fails here. */
  private deliverSoon(): void {
    this.outbox.kick();
  }
}
