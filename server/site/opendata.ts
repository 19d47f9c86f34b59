import type { PublicArticle } from '../articles/public-articles.repository';
import { BOM, csvLines } from '../csv';
import { htmlToText } from './search.text';

/**
 * The open datasets (CRPA L312-1-1): articles and events, in UTF-8 CSV and JSON, ISO 8601
 * dates, under the Licence Ouverte 2.0. Field names are French, as French open data portals
 * expect; the same names in CSV and JSON.
 */

export const LICENCE = {
  name: 'Licence Ouverte / Open Licence version 2.0',
  url: 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/',
} as const;

export type Cell = string | number | boolean | null;
export type OpenRecord = Record<string, Cell>;

export interface DatasetField {
  name: string;
  description: string; // an i18n key
}

export const ARTICLE_FIELDS: DatasetField[] = [
  { name: 'id', description: 'Identifiant numérique de l’article, stable.' },
  { name: 'slug', description: 'Partie de l’adresse propre à l’article.' },
  { name: 'titre', description: 'Titre de l’article.' },
  { name: 'resume', description: 'Résumé en quelques lignes.' },
  { name: 'texte', description: 'Texte complet, sans mise en forme.' },
  { name: 'categorie', description: 'Nom de la catégorie, vide si aucune.' },
  { name: 'url', description: 'Adresse de l’article sur le site.' },
  { name: 'date_publication', description: 'Mise en ligne, date et heure ISO 8601 en UTC.' },
  { name: 'date_modification', description: 'Dernière modification, date et heure ISO 8601 en UTC.' },
  { name: 'image', description: 'Adresse de l’image principale, vide si aucune.' },
  { name: 'image_texte_alternatif', description: 'Description de l’image pour qui ne la voit pas.' },
  { name: 'evenement_debut', description: 'Début de l’événement annoncé, ISO 8601 en UTC, vide si aucun.' },
  { name: 'evenement_fin', description: 'Fin de l’événement annoncé, ISO 8601 en UTC, vide si aucune.' },
  { name: 'evenement_lieu', description: 'Lieu de l’événement annoncé.' },
  { name: 'alerte', description: 'true pour une alerte urgente, false sinon.' },
];

export const EVENT_FIELDS: DatasetField[] = [
  { name: 'id', description: 'Identifiant numérique de l’article qui annonce l’événement.' },
  { name: 'titre', description: 'Nom de l’événement.' },
  { name: 'description', description: 'Résumé de l’annonce.' },
  { name: 'debut', description: 'Début, date et heure ISO 8601 en UTC.' },
  { name: 'fin', description: 'Fin, date et heure ISO 8601 en UTC, vide si non précisée.' },
  { name: 'lieu', description: 'Lieu, vide si non précisé.' },
  { name: 'commune', description: 'Commune organisatrice.' },
  { name: 'categorie', description: 'Nom de la catégorie, vide si aucune.' },
  { name: 'url', description: 'Adresse de l’annonce sur le site.' },
  { name: 'date_modification', description: 'Dernière modification de l’annonce, ISO 8601 en UTC.' },
];

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function articleRecord(a: PublicArticle, url: string, image: string | null): OpenRecord {
  return {
    id: a.id,
    slug: a.slug,
    titre: a.title,
    resume: a.summary,
    texte: htmlToText(a.bodyHtml),
    categorie: a.categoryName,
    url,
    date_publication: iso(a.publishedAt),
    date_modification: iso(a.updatedAt > a.publishedAt ? a.updatedAt : a.publishedAt),
    image,
    image_texte_alternatif: image ? a.heroAlt : null,
    evenement_debut: iso(a.eventStart),
    evenement_fin: iso(a.eventEnd),
    evenement_lieu: a.eventPlace,
    alerte: a.urgent,
  };
}

export function eventRecord(a: PublicArticle, url: string, commune: string): OpenRecord {
  return {
    id: a.id,
    titre: a.title,
    description: a.summary,
    debut: iso(a.eventStart),
    fin: iso(a.eventEnd),
    lieu: a.eventPlace,
    commune,
    categorie: a.categoryName,
    url,
    date_modification: iso(a.updatedAt > a.publishedAt ? a.updatedAt : a.publishedAt),
  };
}

/** RFC 4180: comma, double quotes, CRLF; a BOM first so that Excel reads UTF-8 accents right. */
export function toCsv(fields: DatasetField[], records: OpenRecord[]): string {
  const names = fields.map((f) => f.name);
  return BOM + csvLines([names, ...records.map((r) => names.map((n) => r[n] ?? null))], ',');
}
