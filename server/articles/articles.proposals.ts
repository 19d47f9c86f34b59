import type { Knex } from 'knex';
import type { AuditRepository } from '../audit/audit.repository';
import { can } from '../auth/permissions';
import type { Clock } from '../clock';
import { ConflictError, ForbiddenError } from '../http/errors';
import type { ArticleRevisionsRepository } from './article-revisions.repository';
import type { ArticleContent } from './articles.content';
import type { ArticlesService, UpdateResult } from './articles.service';
import type { Article, ArticleActor, ArticleSnapshot } from './articles.types';

const NOTHING_PENDING = 'Aucune modification n’attend d’approbation pour cet article : elle a peut-être déjà été traitée.';

interface ProposalDeps {
  db: Knex;
  audit: AuditRepository;
  clock: Clock;
  revisions: ArticleRevisionsRepository;
  content: ArticleContent;
}

/**
 * When the commune requires approval, a change to an online article waits as a proposal: the
 * site and the channels keep the approved text until an elected member approves it (it becomes
 * the new version) or refuses it (with the reason its writer reads).
 */
export class ArticleProposals {
  constructor(
    private readonly host: Pick<ArticlesService, 'getOrFail' | 'update'>,
    private readonly d: ProposalDeps,
  ) {}

  /**
   * Records the editor's change as the pending proposal, in the save's transaction. False when
   * it proposes nothing new (the same as what is online, or as the proposal already waiting).
   */
  async propose(current: Article, before: ArticleSnapshot, after: ArticleSnapshot, actor: ArticleActor, now: Date, trx: Knex.Transaction): Promise<boolean> {
    const pending = await this.d.revisions.pending(current.id, trx);
    const base = pending ? pending.snapshot : before;
    const proposedFields = (Object.keys(after) as (keyof ArticleSnapshot)[]).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    if (JSON.stringify(base) === JSON.stringify(after) || (!pending && proposedFields.length === 0)) return false;
    await this.d.revisions.propose(current.id, current.version, after, actor.id, now, trx);
    await this.d.audit.append(
      { actor, action: 'article.change_proposed', targetType: 'article', targetId: current.id, details: { fields: proposedFields } },
      now,
      trx,
    );
    return true;
  }

  /**
   * An elected member approves the proposed change: it becomes the article's new version (its
   * writer named as the version's author), and the site and the channels follow.
   */
  async approve(id: number, actor: ArticleActor): Promise<UpdateResult> {
    if (actor.role && !can(actor.role, 'articles.approve')) throw new ForbiddenError();
    const current = await this.host.getOrFail(id);
    const proposal = await this.d.revisions.pending(id);
    if (!proposal) throw new ConflictError(NOTHING_PENDING);
    const input = await this.d.content.fromSnapshot(id, proposal.snapshot, current);
    const now = this.d.clock.now();
    // As the system: the approval is the check the rule asks for.
    const result = await this.host.update(id, input, current.version, { id: actor.id, label: actor.label, role: null }, 'article.change_approved', {
      versionAuthorId: proposal.authorId,
      within: async (trx) => {
        if (!(await this.d.revisions.decide(proposal.id, 'approved', null, actor.id, now, trx))) {
          throw new ConflictError(NOTHING_PENDING);
        }
      },
    });
    if (!result.changed) await this.d.db.transaction((trx) => this.d.revisions.decide(proposal.id, 'approved', null, actor.id, now, trx));
    return result;
  }

  /** The proposed change is refused, with the reason its writer will read; the site is unchanged. */
  async refuse(id: number, reason: string, actor: ArticleActor): Promise<void> {
    if (actor.role && !can(actor.role, 'articles.approve')) throw new ForbiddenError();
    await this.host.getOrFail(id);
    const proposal = await this.d.revisions.pending(id);
    if (!proposal) throw new ConflictError(NOTHING_PENDING);
    const now = this.d.clock.now();
    await this.d.db.transaction(async (trx) => {
      if (!(await this.d.revisions.decide(proposal.id, 'refused', reason, actor.id, now, trx))) {
        throw new ConflictError(NOTHING_PENDING);
      }
      await this.d.audit.append({ actor, action: 'article.change_refused', targetType: 'article', targetId: id, details: { reason } }, now, trx);
    });
  }
}
