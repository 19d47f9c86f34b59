import crypto from 'node:crypto';
import type { Actor, AuditRepository } from '../audit/audit.repository';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { ConflictError, DomainError, NotFoundError, ValidationError } from '../http/errors';
import type { AccountAvatars } from './account-avatars';
import type { AccountsRepository, ChannelAccount } from './accounts.repository';
import type { ChannelAdapter, ConnectedAccount, ConnectionCheck } from './channels/channel-adapter';
import type { AdapterRegistry } from './channels/registry';
import type { PublicationsRepository } from './publications.repository';
import { CODES } from './publishing.messages';

const CALL_TIMEOUT_MS = 20_000;
// Warn a week ahead: time for the administrator to renew a Page token before posts wait.
const EXPIRY_WARNING_MS = 7 * 86_400_000;

/** What an OAuth connection keeps between the redirect and the callback (in the session). */
export interface PendingOAuth {
  state: string;
  channel: string;
  pending: Record<string, unknown>;
  reconnectId: number | null;
}

export interface AccountRow {
  account: ChannelAccount;
  adapter: ChannelAdapter | null;
  /** A week or less before the token ends. */
  expiresSoon: boolean;
  /** The token has ended (by the program's clock, not the viewer's). */
  expired: boolean;
  /** The network ends the app's access to the account's data within a week (Facebook). */
  dataAccessSoon: boolean;
  /** That access has ended. */
  dataAccessEnded: boolean;
  /** Crieur's copy of the account's picture (its address), or null: the initial is shown. */
  avatarUrl: string | null;
}

export class ConnectionRefusedError extends DomainError {
  constructor() {
    super('Le réseau a refusé ces informations. Vérifiez-les, puis réessayez.', 400);
  }
}

/** The network did not answer at all: not the same advice as a refusal. */
export class NetworkUnreachableError extends DomainError {
  constructor() {
    super('Le réseau ne répond pas : impossible de le joindre pour le moment. Vérifiez l’adresse saisie, ou réessayez plus tard.', 502);
  }
}

/** fetch's own failures: no answer (refused connection, unknown host) or no answer in time. */
function unreachable(err: unknown): boolean {
  const e = err as { name?: string; message?: string } | null;
  // By name: fetch's TypeError may come from another realm than this module's (test sandboxes).
  return e?.name === 'TimeoutError' || e?.name === 'AbortError' || (e?.name === 'TypeError' && e.message === 'fetch failed');
}

/**
 * The accounts Crieur posts with, for administrators: connect one (through the adapter's own form
 * or an OAuth redirect and callback), test it, reconnect it, remove it. Generic: each network says
 * how it connects (ChannelAdapter.connect); nothing here names a network.
 */
export class AccountsService {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly pubs: PublicationsRepository,
    private readonly adapters: AdapterRegistry,
    private readonly audit: AuditRepository,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly callbackUrl: string,
    private readonly avatars: AccountAvatars | null = null,
  ) {}

  async list(): Promise<AccountRow[]> {
    const now = this.clock.now().getTime();
    return (await this.accounts.list()).map((account) => ({
      account,
      adapter: this.adapters.get(account.channel) ?? null,
      expiresSoon: !!account.expiresAt && account.expiresAt.getTime() - now < EXPIRY_WARNING_MS,
      expired: account.connection === 'expired' || (!!account.expiresAt && account.expiresAt.getTime() <= now),
      dataAccessSoon: !!account.dataAccessExpiresAt && account.dataAccessExpiresAt.getTime() - now < EXPIRY_WARNING_MS,
      dataAccessEnded: !!account.dataAccessExpiresAt && account.dataAccessExpiresAt.getTime() <= now,
      avatarUrl: this.avatars?.urlFor(account.id) ?? null,
    }));
  }

  /** Accounts an administrator should act on soon: a token that ends within a week or has ended, a revoked one (the dashboard). */
  async needingAction(): Promise<AccountRow[]> {
    return (await this.list()).filter((r) => r.adapter && (r.expiresSoon || r.expired || r.dataAccessSoon || r.account.connection === 'disconnected'));
  }

  /** Networks an administrator can connect an account to. */
  connectable(): ChannelAdapter[] {
    return this.adapters.all().filter((a) => a.connect.kind !== 'none');
  }

  adapterFor(channel: string): ChannelAdapter {
    const adapter = this.adapters.get(channel);
    if (!adapter || adapter.connect.kind === 'none') throw new NotFoundError('Ce réseau n’est pas pris en charge par cette installation.');
    return adapter;
  }

  async get(id: number): Promise<ChannelAccount> {
    const account = await this.accounts.get(id);
    if (!account || account.removedAt) throw new NotFoundError('Ce compte n’existe pas.');
    return account;
  }

  /** A network connected by pasting values (a token, an app password). */
  async connectWithForm(channel: string, values: Record<string, string>, actor: Actor, reconnectId: number | null = null): Promise<number> {
    const adapter = this.adapterFor(channel);
    if (adapter.connect.kind !== 'form') throw new NotFoundError();
    const missing = adapter.connect.fields.filter((f) => !values[f.name]?.trim());
    if (missing.length) {
      throw new ValidationError(
        'Le formulaire contient des erreurs : corrigez les champs signalés.',
        Object.fromEntries(missing.map((f) => [f.name, 'Ce champ est obligatoire.'])),
      );
    }
    const connected = await this.call(() =>
      (adapter.connect as Extract<ChannelAdapter['connect'], { kind: 'form' }>).connect(values, AbortSignal.timeout(CALL_TIMEOUT_MS)),
    );
    return this.save(channel, connected, actor, reconnectId);
  }

  /** First half of an OAuth connection: where to send the administrator, and what to remember. */
  async startOAuth(channel: string, values: Record<string, string>, reconnectId: number | null): Promise<{ redirectUrl: string; pending: PendingOAuth }> {
    const adapter = this.adapterFor(channel);
    if (adapter.connect.kind !== 'oauth') throw new NotFoundError();
    const missing = adapter.connect.fields.filter((f) => !values[f.name]?.trim());
    if (missing.length) {
      throw new ValidationError(
        'Le formulaire contient des erreurs : corrigez les champs signalés.',
        Object.fromEntries(missing.map((f) => [f.name, 'Ce champ est obligatoire.'])),
      );
    }
    if (reconnectId) await this.get(reconnectId);
    const state = crypto.randomBytes(24).toString('base64url');
    const oauth = adapter.connect;
    const started = await this.call(() => oauth.start(values, this.callbackUrl, state, AbortSignal.timeout(CALL_TIMEOUT_MS)));
    // The session lives in the database: what the adapter keeps (an app's secret) goes there sealed.
    return { redirectUrl: started.redirectUrl, pending: { state, channel, pending: { sealed: this.accounts.sealPending(started.pending) }, reconnectId } };
  }

  /** Second half: the network sent the administrator back with a code, checked against the state. */
  async finishOAuth(query: Record<string, string>, pending: PendingOAuth | undefined, actor: Actor): Promise<number> {
    const sent = Buffer.from(query.state ?? '');
    const expected = Buffer.from(pending?.state ?? '');
    if (!pending || sent.length !== expected.length || !crypto.timingSafeEqual(sent, expected)) {
      throw new DomainError('Cette autorisation ne correspond à aucune connexion en cours. Recommencez depuis la page des comptes.', 400);
    }
    if (query.error) throw new DomainError('La connexion a été refusée sur le réseau : aucun compte n’a été ajouté.', 400);
    const adapter = this.adapterFor(pending.channel);
    if (adapter.connect.kind !== 'oauth') throw new NotFoundError();
    const oauth = adapter.connect;
    const kept = typeof pending.pending.sealed === 'string' ? this.accounts.openPending(pending.pending.sealed) : pending.pending;
    const connected = await this.call(() => oauth.finish(query, kept, this.callbackUrl, AbortSignal.timeout(CALL_TIMEOUT_MS)));
    return this.save(pending.channel, connected, actor, pending.reconnectId);
  }

  /** "Tester la connexion": the network's identity endpoint names the account, or says why not. */
  async test(id: number, actor: Actor): Promise<ConnectionCheck & { picture?: boolean }> {
    const account = await this.get(id);
    const adapter = this.adapters.get(account.channel);
    if (!adapter?.testConnection) throw new ConflictError('Ce réseau ne permet pas de tester la connexion.');
    const now = this.clock.now();
    const context = { id: account.id, label: account.label, settings: account.settings, credentials: await this.accounts.credentials(account.id) };
    let check: ConnectionCheck;
    try {
      const ports = {
        clock: this.clock,
        log: this.log,
        saveCredentials: (c: Record<string, unknown>) => this.accounts.saveCredentials(account.id, c, this.clock.now()),
        accountState: {
          get: () => this.accounts.adapterState(account.id),
          update: (change: (s: Record<string, unknown>) => Record<string, unknown>) => this.accounts.updateAdapterState(account.id, change, this.clock.now()),
        },
      };
      check = await adapter.testConnection(context, ports, AbortSignal.timeout(CALL_TIMEOUT_MS));
    } catch (err) {
      this.log.warn({ err, accountId: id }, 'connection test failed');
      check = { ok: false, reconnect: false, message: { code: CODES.unreachable } };
    }
    const connection = check.ok ? 'connected' : check.reconnect ? 'disconnected' : account.connection;
    await this.accounts.markConnection(id, connection, now);
    if (check.ok && account.connection !== 'connected') await this.pubs.releaseAccount(id, now);
    await this.audit.append({ actor, action: 'account.tested', targetType: 'channel_account', targetId: id, details: { ok: check.ok } }, now);
    // The picture the network shows now, kept as Crieur's own copy (or the initial when refused).
    if (check.ok && this.avatars) return { ...check, picture: (await this.avatars.refresh(id, check.avatarUrl)).ok };
    return check;
  }

  /**
   * The choices an administrator may change without reconnecting (ChannelAdapter.settingsFields):
   * each value must be one of its options; nothing else of the account changes.
   */
  async updateSettings(id: number, values: Record<string, string>, actor: Actor): Promise<void> {
    const account = await this.get(id);
    const fields = this.adapters.get(account.channel)?.settingsFields ?? [];
    if (!fields.length) throw new NotFoundError('Ce compte n’a pas de réglages.');
    const errors: Record<string, string> = {};
    const next = { ...account.settings };
    for (const f of fields) {
      const v = values[f.name] ?? '';
      if (f.options && !f.options.some((o) => o.value === v)) errors[f.name] = 'Choisissez une des valeurs proposées.';
      else next[f.name] = v;
    }
    if (Object.keys(errors).length) throw new ValidationError('Le formulaire contient des erreurs : corrigez les champs signalés.', errors);
    const changed = Object.fromEntries(fields.filter((f) => account.settings[f.name] !== next[f.name]).map((f) => [f.name, String(next[f.name])]));
    const now = this.clock.now();
    await this.accounts.updateSettings(id, next, now);
    await this.audit.append(
      { actor, action: 'account.settings_changed', targetType: 'channel_account', targetId: id, details: { channel: account.channel, ...changed } },
      now,
    );
  }

  async remove(id: number, actor: Actor): Promise<void> {
    const account = await this.get(id);
    if (this.adapters.get(account.channel)?.capabilities.followsArticle) throw new ConflictError('Le site de la commune ne peut pas être retiré.');
    const now = this.clock.now();
    if (!(await this.accounts.remove(id, now))) throw new ConflictError('Ce compte a déjà été retiré.');
    this.avatars?.forget(id);
    await this.audit.append(
      { actor, action: 'account.removed', targetType: 'channel_account', targetId: id, details: { channel: account.channel, label: account.label } },
      now,
    );
  }

  private async save(channel: string, connected: ConnectedAccount, actor: Actor, reconnectId: number | null): Promise<number> {
    const now = this.clock.now();
    if (reconnectId) {
      const current = await this.get(reconnectId);
      if (current.channel !== channel) throw new ConflictError('Ce compte est sur un autre réseau.');
      // The network must name the same account: new keys of another account would post, from
      // then on, under this account's name and history without anyone noticing.
      const adapter = this.adapters.get(channel);
      const before = adapter?.identityOf?.(current.settings) ?? null;
      const after = adapter?.identityOf?.(connected.settings) ?? null;
      if (before && after && before !== after) {
        this.log.warn({ accountId: reconnectId, channel }, 'reconnection refused: another account');
        throw new DomainError(
          'Ces informations sont celles d’un autre compte ({other}) que celui à reconnecter ({label}) : rien n’a été changé. Reconnectez-vous avec le compte {label}, ou connectez {other} comme un nouveau compte.',
          400,
          { other: connected.label, label: current.label },
        );
      }
      await this.accounts.reconnect(reconnectId, { ...connected }, now);
      if (connected.avatarUrl !== undefined) await this.avatars?.refresh(reconnectId, connected.avatarUrl);
      await this.pubs.releaseAccount(reconnectId, now);
      await this.audit.append(
        { actor, action: 'account.reconnected', targetType: 'channel_account', targetId: reconnectId, details: { channel, label: connected.label } },
        now,
      );
      return reconnectId;
    }
    const id = await this.accounts.insert(
      {
        channel,
        label: connected.label,
        settings: connected.settings,
        credentials: connected.credentials,
        expiresAt: connected.expiresAt ?? null,
        dataAccessExpiresAt: connected.dataAccessExpiresAt ?? null,
      },
      now,
    );
    await this.audit.append(
      { actor, action: 'account.connected', targetType: 'channel_account', targetId: id, details: { channel, label: connected.label } },
      now,
    );
    if (connected.avatarUrl) await this.avatars?.refresh(id, connected.avatarUrl);
    return id;
  }

  /** A network's refusal becomes a sentence; the detail goes to the log, never a secret. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof DomainError) throw err;
      this.log.warn({ err }, 'account connection refused');
      throw unreachable(err) ? new NetworkUnreachableError() : new ConnectionRefusedError();
    }
  }
}
