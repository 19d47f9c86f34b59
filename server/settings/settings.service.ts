import type { Knex } from 'knex';
import type { Clock } from '../clock';
import type { AuditRepository, Actor } from '../audit/audit.repository';
import { ValidationError } from '../http/errors';
import { AA_NORMAL_TEXT, contrastRatio } from './contrast';
import { DEFAULT_NEWSLETTER_SETTINGS, DEFAULT_SETTINGS, type CommuneSettings, type NewsletterSettings } from './settings.defaults';
import type { SettingsRepository } from './settings.repository';
import { DomainEvents } from '../events';

const KEY = 'commune';
const NEWSLETTER_KEY = 'newsletter';
const ATTACHMENTS_KEY = 'attachments';

export interface AttachmentSettings {
  /** The largest file an officer may attach, in MB (20 by default). */
  maxMb: number;
}
export const DEFAULT_ATTACHMENT_SETTINGS: AttachmentSettings = { maxMb: 20 };

export const FORM_ERROR = 'Le formulaire contient des erreurs : corrigez les champs signalés.';
export const CONTRAST_MESSAGE = 'Contraste insuffisant : {ratio}:1, il faut au moins 4,5:1.';

/**
 * Settings refused by the commune's rules. A refused colour pair's message needs the computed
 * ratio, which the route formats in the reader's language (`fieldRatios` holds it per field).
 */
export class SettingsValidationError extends ValidationError {
  constructor(
    fields: Record<string, string>,
    public readonly fieldRatios: Record<string, number>,
  ) {
    super(FORM_ERROR, fields);
  }
}

/**
 * Text in each "on" colour must be readable over its background (WCAG AA, normal text). A pair
 * with a colour missing is left out: the form reports that colour's format, and the contrast of
 * the other pair is still worth saying in the same answer.
 */
export function checkColors(colors: Partial<CommuneSettings['colors']>): SettingsValidationError | null {
  const fields: Record<string, string> = {};
  const ratios: Record<string, number> = {};
  const pairs = [
    ['onPrimary', colors.primary, colors.onPrimary],
    ['onAccent', colors.accent, colors.onAccent],
  ] as const;
  for (const [field, background, foreground] of pairs) {
    if (background === undefined || foreground === undefined) continue;
    const ratio = contrastRatio(background, foreground);
    if (ratio < AA_NORMAL_TEXT) {
      fields[field] = CONTRAST_MESSAGE;
      ratios[field] = ratio;
    }
  }
  return Object.keys(fields).length ? new SettingsValidationError(fields, ratios) : null;
}

/** What the settings form could read, when some of it could not be read. */
export interface PartialSettings {
  colors: Partial<CommuneSettings['colors']>;
  logoMediaId?: number | null;
}

export type LogoCheck = { logoExists?: (id: number) => Promise<boolean> };

export class SettingsService {
  private cache: CommuneSettings | null = null;

  constructor(
    private readonly db: Knex,
    private readonly repo: SettingsRepository,
    private readonly audit: AuditRepository,
    private readonly clock: Clock,
  ) {}

  private checkedAt = 0;

  /**
   * Read on every page: cached in memory, refreshed on every save here, and re-read at most every
   * 10 seconds so that a change saved on another instance shows up (and fires the listeners) here.
   */
  async get(): Promise<CommuneSettings> {
    const now = Date.now();
    if (!this.cache || now - this.checkedAt > 10_000) {
      this.checkedAt = now;
      const stored = await this.repo.get<Partial<CommuneSettings>>(KEY);
      const fresh = mergeSettings(DEFAULT_SETTINGS, stored ?? {});
      const changed = this.cache !== null && JSON.stringify(fresh) !== JSON.stringify(this.cache);
      this.cache = fresh;
      if (changed) this.events.emit('changed');
    }
    return this.cache;
  }

  /** Announced when settings change, here or on another instance (the site's page cache listens). */
  readonly events = new DomainEvents<{ changed: [] }>();

  /**
   * Checks and stores the commune's settings. `logoExists` answers whether a media id is in the
   * library (the media domain owns that); a logo already chosen is kept even if it cannot be found.
   */
  async save(next: CommuneSettings, actor: Actor, opts: LogoCheck = {}): Promise<void> {
    const before = await this.get();
    const refused = await this.refusals(next, opts);
    if (refused) throw refused;
    const changed = Object.keys(next).filter((k) => JSON.stringify(next[k as keyof CommuneSettings]) !== JSON.stringify(before[k as keyof CommuneSettings]));
    await this.db.transaction(async (trx) => {
      await this.repo.put(KEY, next, this.clock.now(), trx);
      await this.audit.append({ actor, action: 'settings.updated', targetType: 'settings', details: { changed } }, this.clock.now(), trx);
    });
    this.cache = next;
    this.events.emit('changed');
  }

  /**
   * The commune's own rules (readable colours, a logo from the library), checked on whatever
   * could be read: the form shows these refusals along with its format errors, in one answer.
   */
  async refusals(next: PartialSettings, opts: LogoCheck = {}): Promise<SettingsValidationError | null> {
    const contrast = checkColors(next.colors);
    const fields = { ...contrast?.fields };
    const id = next.logoMediaId;
    if (id !== undefined && id !== null && id !== (await this.get()).logoMediaId && opts.logoExists && !(await opts.logoExists(id))) {
      fields.logoMediaId = 'Cette image n’existe pas dans la médiathèque.';
    }
    return Object.keys(fields).length ? new SettingsValidationError(fields, contrast?.fieldRatios ?? {}) : null;
  }

  /** The newsletter's schedule and limits (their own key and page); not cached: read by jobs, rarely. */
  async newsletter(): Promise<NewsletterSettings> {
    return { ...DEFAULT_NEWSLETTER_SETTINGS, ...((await this.repo.get<Partial<NewsletterSettings>>(NEWSLETTER_KEY)) ?? {}) };
  }

  async saveNewsletter(next: NewsletterSettings, actor: Actor): Promise<void> {
    const before = await this.newsletter();
    const changed = Object.keys(next).filter((k) => next[k as keyof NewsletterSettings] !== before[k as keyof NewsletterSettings]);
    await this.db.transaction(async (trx) => {
      await this.repo.put(NEWSLETTER_KEY, next, this.clock.now(), trx);
      await this.audit.append({ actor, action: 'settings.updated', targetType: 'settings', details: { changed } }, this.clock.now(), trx);
    });
  }

  /** Attachments' size limit (its own key and page, /admin/settings/attachments). */
  async attachments(): Promise<AttachmentSettings> {
    return { ...DEFAULT_ATTACHMENT_SETTINGS, ...((await this.repo.get<Partial<AttachmentSettings>>(ATTACHMENTS_KEY)) ?? {}) };
  }

  async saveAttachments(next: AttachmentSettings, actor: Actor): Promise<void> {
    await this.db.transaction(async (trx) => {
      await this.repo.put(ATTACHMENTS_KEY, next, this.clock.now(), trx);
      await this.audit.append({ actor, action: 'settings.updated', targetType: 'settings', details: { changed: ['attachmentsMaxMb'] } }, this.clock.now(), trx);
    });
  }

  /** A marker of something done once per database (the demo's load), with when it happened. */
  async marker(key: string): Promise<string | null> {
    return this.repo.get<string>(key);
  }

  async setMarker(key: string, at: Date): Promise<void> {
    await this.repo.put(key, at.toISOString(), at);
  }

  /** Used by the demo loader and the first start: no audit entry, nobody acted. */
  async initialize(next: CommuneSettings): Promise<void> {
    await this.repo.put(KEY, next, this.clock.now());
    this.cache = next;
  }
}

export function mergeSettings(base: CommuneSettings, patch: Partial<CommuneSettings>): CommuneSettings {
  return {
    ...base,
    ...patch,
    colors: { ...base.colors, ...(patch.colors ?? {}) },
    social: { ...base.social, ...(patch.social ?? {}) },
    accessibility: { ...base.accessibility, ...(patch.accessibility ?? {}) },
  };
}
