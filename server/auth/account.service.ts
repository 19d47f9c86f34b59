import type { Knex } from 'knex';
import type { Clock } from '../clock';
import type { AuditRepository } from '../audit/audit.repository';
import { DomainError, ValidationError } from '../http/errors';
import { translator } from '../i18n/i18n';
import type { OutboxService } from '../mail/outbox.service';
import type { SettingsService } from '../settings/settings.service';
import type { AuthService } from './auth.service';
import { emailChangedNotice, emailConfirmationEmail } from './emails/email-change.email';
import { hashPassword, newToken, sha256, verifyPassword } from './hashing';
import type { TokensRepository } from './tokens.repository';
import type { KnexSessionStore } from './session-store';
import { normalizeEmail, type User, type UsersRepository } from './users.repository';

const EMAIL_LINK_HOURS = 24;

const WRONG_PASSWORD = 'Le mot de passe actuel est incorrect.';
const LINK_GONE = 'Ce lien n’est plus valable : il a déjà servi ou il est trop ancien. Demandez un nouveau changement d’adresse depuis « Mon compte ».';

/**
 * What a person changes on their own account ("Mon compte"): their name, their address (only
 * once the link sent to the new address is followed, while logged in as themselves), and the
 * password Crieur printed for them, replaced at the first login.
 */
export class AccountService {
  constructor(
    private readonly d: {
      db: Knex;
      users: UsersRepository;
      tokens: TokensRepository;
      sessions: KnexSessionStore;
      auth: AuthService;
      audit: AuditRepository;
      outbox: OutboxService;
      settings: SettingsService;
      clock: Clock;
      baseUrl: string;
    },
  ) {}

  async rename(user: User, displayName: string): Promise<void> {
    if (displayName === user.displayName) return;
    const now = this.d.clock.now();
    await this.d.db.transaction(async (trx) => {
      await this.d.users.update(user.id, { displayName }, now, trx);
      await this.d.audit.append(
        { actor: { id: user.id, label: displayName }, action: 'user.renamed', targetType: 'user', targetId: user.id, details: { name: displayName } },
        now,
        trx,
      );
    });
  }

  /**
   * Sends a one-time link to the new address. The current password is asked first: a session
   * left open on a town-hall computer must not be enough to take the account away.
   */
  async requestEmailChange(user: User, newEmail: string, currentPassword: string): Promise<void> {
    const email = normalizeEmail(newEmail);
    const fresh = await this.d.users.findById(user.id);
    if (!fresh || !(await verifyPassword(fresh.passwordHash, currentPassword))) {
      throw new ValidationError(WRONG_PASSWORD, { current: WRONG_PASSWORD });
    }
    if (email === fresh.email) {
      throw new ValidationError('C’est déjà l’adresse de votre compte.', { email: 'C’est déjà l’adresse de votre compte.' });
    }
    if (await this.d.users.findByEmail(email)) {
      throw new ValidationError('Un autre compte utilise déjà cette adresse.', { email: 'Un autre compte utilise déjà cette adresse.' });
    }
    const now = this.d.clock.now();
    const { token, hash } = newToken();
    const commune = (await this.d.settings.get()).name;
    await this.d.db.transaction(async (trx) => {
      // A new request replaces the one still waiting (tokens.insert), so only the last link works.
      await this.d.tokens.insert(
        { userId: user.id, purpose: 'email', hash, newEmail: email, expiresAt: new Date(now.getTime() + EMAIL_LINK_HOURS * 3600_000) },
        now,
        trx,
      );
      const msg = emailConfirmationEmail({
        to: email,
        link: `${this.d.baseUrl}/admin/account/email/${token}`,
        name: fresh.displayName,
        communeName: commune,
        validForHours: EMAIL_LINK_HOURS,
        t: translator(fresh.locale),
      });
      await this.d.outbox.enqueueEmail(trx, msg, `Confirmation d’adresse pour ${fresh.displayName}`);
      await this.d.audit.append(
        { actor: { id: user.id, label: fresh.displayName }, action: 'user.email_change_requested', targetType: 'user', targetId: user.id },
        now,
        trx,
      );
    });
    this.d.outbox.kick();
  }

  pendingEmail(user: User) {
    return this.d.tokens.pendingEmail(user.id, this.d.clock.now());
  }

  async cancelEmailChange(user: User): Promise<void> {
    await this.d.tokens.revokePurpose(user.id, 'email');
  }

  /**
   * The address a link would set, or null when the link is unknown, used, expired or not this
   * person's (a link opened in someone else's session sets nothing).
   */
  async emailLink(user: User, token: string): Promise<string | null> {
    const t = await this.d.tokens.findValid(sha256(token), this.d.clock.now());
    return t && t.purpose === 'email' && t.userId === user.id && t.newEmail ? t.newEmail : null;
  }

  /** Uses the link: the address changes once, and the old address is told. */
  async confirmEmailChange(user: User, token: string): Promise<string> {
    const now = this.d.clock.now();
    const t = await this.d.tokens.findValid(sha256(token), now);
    if (!t || t.purpose !== 'email' || t.userId !== user.id || !t.newEmail) throw new DomainError(LINK_GONE, 410);
    const newEmail = t.newEmail;
    const oldEmail = user.email;
    const commune = (await this.d.settings.get()).name;
    await this.d.db.transaction(async (trx) => {
      if (!(await this.d.tokens.consume(t.id, now, trx))) throw new DomainError(LINK_GONE, 410);
      const taken = await this.d.users.findByEmail(newEmail, trx);
      if (taken && taken.id !== user.id) throw new DomainError('Un autre compte utilise déjà cette adresse.', 409);
      await this.d.users.update(user.id, { email: newEmail }, now, trx);
      // Reset links sent to the old address must not outlive it.
      await this.d.tokens.revokeAll(user.id, trx);
      await this.d.outbox.enqueueEmail(
        trx,
        emailChangedNotice({ to: oldEmail, newEmail, name: user.displayName, communeName: commune, t: translator(user.locale) }),
        `Changement d’adresse de ${user.displayName}`,
      );
      await this.d.audit.append(
        { actor: { id: user.id, label: user.displayName }, action: 'user.email_changed', targetType: 'user', targetId: user.id },
        now,
        trx,
      );
    });
    this.d.outbox.kick();
    return newEmail;
  }

  /**
   * The first login with a password Crieur printed: the person chooses their own (and may give
   * their name at the same time, so that the first administrator is no longer "Administrateur").
   */
  async replacePrintedPassword(user: User, password: string, displayName: string | undefined, keepSessionId: string): Promise<void> {
    if (!user.mustChangePassword) throw new DomainError('Votre mot de passe a déjà été choisi.', 409);
    const fresh = await this.d.users.findById(user.id);
    if (!fresh) throw new DomainError('Ce compte n’existe pas.', 404);
    if (await verifyPassword(fresh.passwordHash, password)) {
      const same = 'Choisissez un mot de passe différent de celui affiché au démarrage.';
      throw new ValidationError(same, { password: same });
    }
    await this.d.auth.assertAcceptablePassword(password, fresh.email);
    const hash = await hashPassword(password);
    const now = this.d.clock.now();
    const name = displayName && displayName !== fresh.displayName ? displayName : undefined;
    await this.d.db.transaction(async (trx) => {
      await this.d.users.update(user.id, { passwordHash: hash, mustChangePassword: false, ...(name ? { displayName: name } : {}) }, now, trx);
      await this.d.tokens.revokeAll(user.id, trx);
      // Whoever else read the printed password and logged in with it is logged out.
      await this.d.sessions.endAllOf(user.id, trx, keepSessionId);
      const actor = { id: user.id, label: name ?? fresh.displayName };
      await this.d.audit.append({ actor, action: 'user.password_changed', targetType: 'user', targetId: user.id }, now, trx);
      if (name) await this.d.audit.append({ actor, action: 'user.renamed', targetType: 'user', targetId: user.id, details: { name } }, now, trx);
    });
  }
}
