import type { CommuneSettings } from '../settings/settings.defaults';
import type { MediaItem } from '../media/media.types';
import { translator } from '../i18n/i18n';
import { articlePath } from './metadata';
import { ImageLookup } from './site-images';
import { ARTICLE_FIELDS, EVENT_FIELDS, LICENCE, articleRecord, eventRecord, toCsv, type DatasetField, type OpenRecord } from './opendata';
import type { PublicArticlesRepository } from '../articles/public-articles.repository';

export type DatasetName = 'articles' | 'evenements';
export type DatasetFormat = 'csv' | 'json';

export interface DatasetInfo {
  name: DatasetName;
  title: string; // i18n key
  description: string; // i18n key
  fields: DatasetField[];
  count: number;
}

export interface DatasetFile {
  body: string;
  contentType: string;
  filename: string;
}

// Far beyond what a commune publishes in decades; a guard, not a page size.
const ALL = 100_000;

export interface OpenDataDeps {
  site: PublicArticlesRepository;
  media: { findById(id: number): Promise<MediaItem | null> };
  settings: { get(): Promise<CommuneSettings> };
  config: { baseUrl: string };
}

/** The open datasets of /donnees-ouvertes: every visible article, every announced event. */
export class OpenDataService {
  constructor(private readonly d: OpenDataDeps) {}

  private url(slug: string): string {
    return `${this.d.config.baseUrl}${articlePath(slug)}`;
  }

  async records(name: DatasetName): Promise<OpenRecord[]> {
    if (name === 'evenements') {
      const [commune, { rows }] = await Promise.all([this.d.settings.get(), this.d.site.list({ eventsFrom: new Date(0), limit: ALL, offset: 0 })]);
      return rows.map((a) => eventRecord(a, this.url(a.slug), commune.name));
    }
    const { rows } = await this.d.site.list({ limit: ALL, offset: 0 });
    const images = new ImageLookup(this.d.media, this.d.config.baseUrl);
    return Promise.all(rows.map(async (a) => articleRecord(a, this.url(a.slug), (await images.main(a.heroMediaId))?.url ?? null)));
  }

  async file(name: DatasetName, format: DatasetFormat, now: Date): Promise<DatasetFile> {
    const records = await this.records(name);
    const filename = `${name}.${format}`;
    if (format === 'csv') {
      return { body: toCsv(name === 'articles' ? ARTICLE_FIELDS : EVENT_FIELDS, records), contentType: 'text/csv; charset=utf-8', filename };
    }
    const commune = await this.d.settings.get();
    const t = translator('fr');
    const body = JSON.stringify({
      titre: t(name === 'articles' ? 'Actualités de {commune}' : 'Événements annoncés par {commune}', { commune: commune.name }),
      producteur: commune.name,
      licence: LICENCE.name,
      licence_url: LICENCE.url,
      date_generation: now.toISOString(),
      nombre: records.length,
      donnees: records,
    });
    return { body, contentType: 'application/json; charset=utf-8', filename };
  }

  /** What the /donnees-ouvertes page describes. */
  async datasets(): Promise<DatasetInfo[]> {
    const [articles, events] = await Promise.all([
      this.d.site.list({ limit: 1, offset: 0 }),
      this.d.site.list({ eventsFrom: new Date(0), limit: 1, offset: 0 }),
    ]);
    return [
      {
        name: 'articles',
        title: 'Actualités',
        description: 'Toutes les actualités publiées sur le site, de la plus récente à la plus ancienne.',
        fields: ARTICLE_FIELDS,
        count: articles.total,
      },
      {
        name: 'evenements',
        title: 'Événements',
        description: 'Tous les événements annoncés sur le site, passés et à venir, par date de début.',
        fields: EVENT_FIELDS,
        count: events.total,
      },
    ];
  }
}
