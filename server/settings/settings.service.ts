import type { Knex } from 'knex';
import type { Clock } from '../clock';
import type { AuditRepository, Actor } from '../audit/audit.repository';
import { DEFAULT_SETTINGS, type CommuneSettings } from './settings.defaults';
import type { SettingsRepository } from './settings.repository';

const KEY = 'commune';

export class SettingsService {
  private cache: CommuneSettings | null = null;
  private readonly listeners: (() => void)[] = [];

  constructor(
    private readonly db: Knex,
    private readonly repo: SettingsRepository,
    private readonly audit: AuditRepository,
    private readonly clock: Clock,
  ) {}

  /** Read on every page: cached in memory, refreshed on every save. */
  async get(): Promise<CommuneSettings> {
    if (!this.cache) {
      const stored = await this.repo.get<Partial<CommuneSettings>>(KEY);
      this.cache = mergeSettings(DEFAULT_SETTINGS, stored ?? {});
    }
    return this.cache;
  }

  /** Called when settings change (the site's page cache listens). */
  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  async save(next: CommuneSettings, actor: Actor): Promise<void> {
    const before = await this.get();
    const changed = Object.keys(next).filter(
      (k) => JSON.stringify(next[k as keyof CommuneSettings]) !== JSON.stringify(before[k as keyof CommuneSettings]),
    );
    await this.db.transaction(async (trx) => {
      await this.repo.put(KEY, next, this.clock.now(), trx);
      await this.audit.append({ actor, action: 'settings.updated', targetType: 'settings', details: { changed } }, this.clock.now(), trx);
    });
    this.cache = next;
    for (const fn of this.listeners) fn();
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
