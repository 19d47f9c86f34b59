import type { Knex } from 'knex';
import type { AuditRepository, Actor } from '../audit/audit.repository';
import type { Clock } from '../clock';
import { BOM, csvLines, type CsvValue } from '../csv';
import { NotFoundError, ValidationError } from '../http/errors';
import { CURRENT_SUBSCRIBE_WORDING, IMPORT_OWN_WORDING } from './consent';
import { importRows, isValidEmail, type ImportRow, type Refusal } from './subscriber-csv';
import { normalizeEmail } from './keys';
import type { Subscriber, SubscribersRepository } from './subscribers.repository';
import type { ListCounts, ListFilter, SubscribersAdminRepository } from './subscribers-admin.repository';
import type { SubscribersService, Topic } from './subscribers.service';

export interface AdminDeps {
  db: Knex;
  repo: SubscribersRepository;
  admin: SubscribersAdminRepository;
  subscribers: SubscribersService;
  audit: AuditRepository;
  clock: Clock;
  communeName: () => Promise<string>;
}

/**
 * How imported addresses join the list. `confirmed`: the commune states how each person agreed
 * (a signed paper form, a previous list with its consent), that stated basis is the proof kept
 * with each row (RULES-FR: "CSV import with its stated basis"), and no e-mail is sent.
 * `double-opt-in`: each address gets the confirmation e-mail and counts only once it is followed,
 * for lists whose consent is less certain.
 */
export type ImportMode = 'confirmed' | 'double-opt-in';

export interface ImportAnalysis {
  accepted: (ImportRow & { topicIds: number[] })[];
  refused: Refusal[];
  tooMany: boolean;
}

export const REFUSAL = {
  invalid: 'Adresse e-mail invalide.',
  duplicate: 'Adresse en double dans le fichier (déjà ligne {line}).',
  existing: 'Adresse déjà inscrite.',
  suppressed: 'Adresse désinscrite, effacée ou refusée par sa messagerie : seule la personne elle-même peut se réinscrire, depuis le site.',
  topic: 'Rubrique inconnue : {topic}.',
} as const;

/** The staff's tools on the list (/admin/subscribers). Every change is audited, never with an address in clear. */
export class SubscribersAdminService {
  constructor(private readonly d: AdminDeps) {}

  async list(f: ListFilter & { limit: number; offset: number }): Promise<{ rows: Subscriber[]; total: number; counts: ListCounts; topics: Topic[] }> {
    const [page, counts, topics] = await Promise.all([this.d.admin.list(f), this.d.admin.counts(), this.d.subscribers.topics()]);
    return { ...page, counts, topics };
  }

  async get(id: number): Promise<Subscriber> {
    const s = await this.d.repo.byId(id);
    if (!s) throw new NotFoundError('Cet abonné n’existe pas ou a été effacé.');
    return s;
  }

  /**
   * Reads a file and says, row by row, what an import would do; writes nothing. Refused: invalid
   * addresses, duplicates within the file, addresses already on the list, suppressed ones (the
   * hash list: an unsubscribed person is never put back by a file), unknown topics.
   */
  async analyse(text: string): Promise<ImportAnalysis> {
    const { rows, tooMany } = importRows(text);
    const topics = await this.d.subscribers.topics();
    const byKey = new Map<string, number>();
    for (const t of topics) {
      byKey.set(t.slug.toLowerCase(), t.id);
      byKey.set(t.name.toLowerCase(), t.id);
    }
    const valid = rows.filter((r) => isValidEmail(r.email)).map((r) => normalizeEmail(r.email));
    const [existing, suppressed] = await Promise.all([this.d.admin.existing(valid), this.d.repo.suppressedHashes(valid)]);
    const seen = new Map<string, number>();
    const accepted: ImportAnalysis['accepted'] = [];
    const refused: Refusal[] = [];
    for (const r of rows) {
      const refuse = (reason: string, vars: Record<string, string | number> = {}) => refused.push({ line: r.line, email: r.email.slice(0, 254), reason, vars });
      if (!isValidEmail(r.email)) {
        refuse(REFUSAL.invalid);
        continue;
      }
      const email = normalizeEmail(r.email);
      const first = seen.get(email);
      if (first !== undefined) {
        refuse(REFUSAL.duplicate, { line: first });
        continue;
      }
      seen.set(email, r.line);
      if (suppressed.has(this.d.repo.hash(email))) {
        refuse(REFUSAL.suppressed);
        continue;
      }
      if (existing.has(email)) {
        refuse(REFUSAL.existing);
        continue;
      }
      const unknown = (r.topics ?? []).find((t) => !byKey.has(t.toLowerCase()));
      if (unknown !== undefined) {
        refuse(REFUSAL.topic, { topic: unknown.slice(0, 80) });
        continue;
      }
      // No topic column, or an empty cell: every topic, as the site's form proposes.
      const topicIds = r.topics?.length ? [...new Set(r.topics.map((t) => byKey.get(t.toLowerCase())!))] : topics.map((t) => t.id);
      accepted.push({ ...r, email, topicIds });
    }
    return { accepted, refused, tooMany };
  }

  /** Writes what `analyse` accepts, checked again now, in one transaction; audited with counts only. */
  /**
   * `agreed` (for addresses subscribed at once): the version of the site's sentence the people
   * accepted, or the words they signed; kept in each address's consent proof.
   */
  async import(
    text: string,
    basis: string,
    mode: ImportMode,
    actor: Actor,
    agreed: { version: string } | { text: string } = { version: CURRENT_SUBSCRIBE_WORDING },
  ): Promise<{ imported: number; refused: number }> {
    const analysis = await this.analyse(text);
    if (analysis.tooMany) throw new ValidationError('Ce fichier contient trop de lignes : 20 000 au plus par import.');
    if (!analysis.accepted.length) throw new ValidationError('Aucune adresse de ce fichier ne peut être importée.');
    const now = this.d.clock.now();
    const commune = await this.d.communeName();
    await this.d.db.transaction(async (trx) => {
      for (const r of analysis.accepted) {
        if (mode === 'double-opt-in') {
          await this.d.subscribers.requestConfirmation(
            trx,
            { email: r.email, topics: r.topicIds, alertsOnly: r.alertsOnly, source: 'import', wordingVersion: CURRENT_SUBSCRIBE_WORDING, basis },
            commune,
          );
          continue;
        }
        const id = await this.d.repo.insert(
          { email: r.email, status: 'confirmed', alertsOnly: r.alertsOnly, source: 'import', at: now, topics: r.topicIds },
          trx,
        );
        const wording = 'text' in agreed ? { wordingVersion: IMPORT_OWN_WORDING, wordingText: agreed.text } : { wordingVersion: agreed.version };
        await this.d.repo.addConsent(id, { at: now, kind: 'subscribe', source: 'import', ...wording, basis }, trx);
      }
      await this.d.audit.append(
        {
          actor,
          action: 'subscribers.imported',
          targetType: 'subscribers',
          details: { count: analysis.accepted.length, refused: analysis.refused.length, mode, basis },
        },
        now,
        trx,
      );
    });
    if (mode === 'double-opt-in') this.d.subscribers.kickOutbox();
    return { imported: analysis.accepted.length, refused: analysis.refused.length };
  }

  /**
   * The whole list as CSV for a spreadsheet: UTF-8 with a BOM (Excel reads accents right), ";"
   * between cells (French Excel), every text quoted and formulas defused (see ../csv). Audited.
   */
  async exportCsv(actor: Actor): Promise<{ csv: string; count: number }> {
    const names = new Map((await this.d.subscribers.topics()).map((t) => [t.id, t.name]));
    const rows: CsvValue[][] = [
      ['email', 'statut', 'rubriques', 'alertes_uniquement', 'suivi_personnel', 'source', 'inscrit_le', 'confirme_le', 'derniere_activite'],
    ];
    let count = 0;
    for await (const page of this.d.admin.all()) {
      for (const s of page) {
        count++;
        rows.push([
          s.email,
          s.status === 'confirmed' ? 'confirmé' : 'en attente',
          s.topics.map((id) => names.get(id) ?? String(id)).join(' | '),
          s.alertsOnly ? 'oui' : 'non',
          s.tracking ? 'oui' : 'non',
          s.source,
          s.createdAt.toISOString(),
          s.confirmedAt?.toISOString() ?? null,
          s.lastActivityAt?.toISOString() ?? null,
        ]);
      }
    }
    await this.d.audit.append({ actor, action: 'subscribers.exported', targetType: 'subscribers', details: { count } }, this.d.clock.now());
    return { csv: BOM + csvLines(rows, ';'), count };
  }

  /**
   * Erasure on request (GDPR art. 17): the subscriber, topics and consents go, the address stays
   * only as a hash. The audit entry names the subscriber's number, never the address.
   */
  async erase(id: number, actor: Actor): Promise<void> {
    const s = await this.get(id);
    const now = this.d.clock.now();
    await this.d.db.transaction(async (trx) => {
      await this.d.repo.suppress(s.email, 'erased', now, trx);
      await this.d.audit.append({ actor, action: 'subscriber.erased', targetType: 'subscriber', targetId: id, details: { reason: 'request' } }, now, trx);
    });
    this.d.subscribers.events.emit('erased', { subscriberId: id, at: now });
  }

  /**
   * A resident registered at the town hall's desk: their address goes through the same double
   * opt-in as the site's form (a typo at the counter must not put a stranger on the list), with
   * the desk as source and the officer's note as basis.
   */
  async deskSubscribe(input: { email: string; topics: number[]; alertsOnly: boolean; basis: string }, actor: Actor): Promise<void> {
    const email = normalizeEmail(input.email);
    const known = new Set((await this.d.subscribers.topics()).map((t) => t.id));
    if (input.topics.some((id) => !known.has(id)))
      throw new ValidationError('Choisissez des rubriques proposées.', { topics: 'Choisissez des rubriques proposées.' });
    if (!input.topics.length && !input.alertsOnly) {
      throw new ValidationError('Choisissez au moins une rubrique, ou « alertes uniquement ».', {
        topics: 'Choisissez au moins une rubrique, ou « alertes uniquement ».',
      });
    }
    const now = this.d.clock.now();
    const commune = await this.d.communeName();
    await this.d.db.transaction(async (trx) => {
      const current = await this.d.repo.byEmail(email, trx);
      if (current?.status === 'confirmed') throw new ValidationError('Cette adresse est déjà abonnée.', { email: 'Cette adresse est déjà abonnée.' });
      // The person is at the counter and asks: like the form, this may lift an unsubscription once they confirm.
      const id = await this.d.subscribers.requestConfirmation(
        trx,
        { email, topics: input.topics, alertsOnly: input.alertsOnly, source: 'desk', wordingVersion: CURRENT_SUBSCRIBE_WORDING, basis: input.basis },
        commune,
      );
      await this.d.audit.append({ actor, action: 'subscriber.desk_registered', targetType: 'subscriber', targetId: id }, now, trx);
    });
    this.d.subscribers.kickOutbox();
  }
}
