import type { Container } from '../container';
import type { Actor } from '../audit/audit.repository';
import type { DemoItemsRepository } from './demo-items.repository';
import { DEMO_MARKER } from './demo.service';

type Deps = Pick<Container, 'db' | 'clock' | 'log' | 'audit' | 'articles' | 'pages' | 'media' | 'engagement' | 'settings' | 'usersRepo'>;

/** What removing the demo would take away, and what stays (the page that asks for confirmation). */
export interface DemoPlan {
  /** Anything left to remove: the admin's banner and page say so while it is true. */
  present: boolean;
  articles: { count: number; published: number; titles: string[] };
  pages: { count: number; titles: string[] };
  images: number;
  /** The demo's generated figures (raw events; their daily and monthly totals go with them). */
  figureEvents: number;
  kept: { accounts: number; articles: number; pages: number; images: number };
}

export interface DemoRemovalResult {
  articles: number;
  pages: number;
  images: number;
  /** Demo pictures still shown by the commune's own content or used as its logo: they stay. */
  imagesKept: number;
  figureEvents: number;
}

/**
 * Removes the demo commune loaded by the first start (demo.service.ts): its articles (with their
 * publications, versions and previews), its pages (and their menu entries), its pictures, and its
 * generated figures. The one code path for the admin's button and `npm run crieur -- demo:remove`.
 *
 * Only what the demo's list names goes (demo-items.repository.ts): what the commune wrote itself,
 * the accounts, the settings, the categories, the subscribers and the real figures stay. A page
 * the commune put under a demo page moves up, as when a page is deleted by hand; a demo picture
 * the commune's own content still shows, or its logo, stays. Everything is deleted in one
 * transaction: an error leaves the demo whole. Running it again finds nothing and changes nothing.
 */
export class DemoRemoval {
  private gone = false;

  constructor(
    private readonly c: Deps,
    private readonly items: DemoItemsRepository,
  ) {}

  /**
   * Asked on every admin page an administrator opens (the banner), so kept cheap: a database the
   * demo was never loaded into (no marker) has none, and once the demo is gone it never comes back
   * (the marker stays), so this process stops asking; the search for a demo figure would read the
   * whole events table when there is none.
   */
  async present(): Promise<boolean> {
    if (this.gone || !(await this.c.settings.marker(DEMO_MARKER))) return false;
    const present = (await this.items.any()) || (await this.c.engagement.hasDemo());
    this.gone = !present;
    return present;
  }

  async plan(): Promise<DemoPlan> {
    const articles = (await Promise.all((await this.items.ids('article')).map((id) => this.c.articles.get(id)))).filter((a) => a !== null);
    const demoPages = new Set(await this.items.ids('page'));
    const allPages = await this.c.pages.all();
    const pages = allPages.filter((p) => demoPages.has(p.id));
    const images = (await Promise.all((await this.items.ids('image')).map((id) => this.c.media.findById(id)))).filter((m) => m !== null);
    const figureEvents = await this.c.engagement.demoEvents();
    const [articleTotal, mediaTotal, accounts] = await Promise.all([
      this.c.articles.count(),
      this.c.media.list({ limit: 1, offset: 0 }).then((r) => r.total),
      this.c.usersRepo.count(),
    ]);
    return {
      present: articles.length + pages.length + images.length + figureEvents > 0,
      articles: { count: articles.length, published: articles.filter((a) => a.status === 'published').length, titles: articles.map((a) => a.title) },
      pages: { count: pages.length, titles: pages.map((p) => p.title) },
      images: images.length,
      figureEvents,
      kept: { accounts, articles: articleTotal - articles.length, pages: allPages.length - pages.length, images: mediaTotal - images.length },
    };
  }

  async remove(actor: Actor): Promise<DemoRemovalResult> {
    // A picture still being prepared would have its files written into a folder just removed.
    await this.c.media.idle();
    const logo = (await this.c.settings.get()).logoMediaId;
    const { result, after } = await this.c.db.transaction(async (trx) => {
      await this.items.lock(trx);
      const articleIds = await this.items.ids('article', trx);
      const articles = await this.c.articles.deleteInTransaction(articleIds, actor, trx);
      await this.items.forget('article', articleIds, trx);

      // Deepest first: a demo sub-page goes before its demo parent, so only the commune's own
      // sub-pages of a demo page move up (the rule of a page deleted by hand).
      const pageIds = await this.items.ids('page', trx);
      const depth = new Map((await this.c.pages.all(trx)).map((p) => [p.id, p.path.split('/').length]));
      const ordered = pageIds.filter((id) => depth.has(id)).sort((a, b) => (depth.get(b) ?? 0) - (depth.get(a) ?? 0));
      for (const id of ordered) await this.c.pages.deleteIn(id, actor, trx);
      await this.items.forget('page', pageIds, trx);

      // After the articles and pages: an image is kept only if the commune's own content shows it.
      const mediaIds = await this.items.ids('image', trx);
      const media = await this.c.media.deleteUnusedIn(
        mediaIds.filter((id) => id !== logo),
        actor,
        trx,
      );
      await this.items.forget('image', mediaIds, trx);

      const figureEvents = await this.c.engagement.removeDemo(trx);
      const result: DemoRemovalResult = {
        articles: articles.deleted,
        pages: ordered.length,
        images: media.deleted.length,
        imagesKept: mediaIds.length - media.deleted.length,
        figureEvents,
      };
      if (result.articles + result.pages + result.images + result.figureEvents > 0)
        await this.c.audit.append({ actor, action: 'demo.removed', targetType: 'demo', details: { ...result } }, this.c.clock.now(), trx);
      return { result, after: { announce: articles.announce, files: media.deleted, pages: ordered.length > 0 } };
    });
    // After the commit: the site's cache, the menus and the publishing engine hear of it; files go.
    await after.announce();
    if (after.pages) this.c.pages.announceChanges();
    await this.c.media.removeFiles(after.files);
    this.c.log.child({ module: 'demo' }).info(result, 'demo commune removed');
    return result;
  }
}
