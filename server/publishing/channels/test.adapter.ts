import type { ChannelAdapter, PublishableArticle, PublicationContext, PublishResult } from './channel-adapter';
import { PermanentChannelError, RateLimitedError, TransientChannelError } from './channel-adapter';

/**
 * A channel for tests and benchmarks that can be told, through its account settings, to
 * succeed, fail, time out or be rate-limited. With `endpoint`, it really POSTs each publication
 * to that URL (a local test peer) and maps the HTTP answer the way social adapters do, so that
 * tests across processes can count what was delivered.
 *
 * settings: { mode?: 'succeed' | 'fail' | 'transient' | 'timeout' | 'rate-limit' | 'flaky',
 *             failures?: number (for flaky), endpoint?: string, timeoutMs?: number,
 *             lookup?: boolean (after a crash, ask the endpoint whether the post arrived) }
 */
export class TestAdapter implements ChannelAdapter {
  readonly channel = 'test';
  readonly canRetract = true;
  readonly repeatable = false;
  readonly delivered: { publicationId: number; articleId: number; text: string }[] = [];

  async publish(article: PublishableArticle, p: PublicationContext, signal: AbortSignal): Promise<PublishResult> {
    const s = p.account.settings as { mode?: string; failures?: number; endpoint?: string; timeoutMs?: number };
    const text = p.textVariant ?? article.title;
    if (s.endpoint) return this.viaHttp(s.endpoint, article, p, text, signal, s.timeoutMs ?? 10_000);
    switch (s.mode ?? 'succeed') {
      case 'fail':
        throw new PermanentChannelError('Le réseau a refusé la publication (compte de test en échec permanent).');
      case 'transient':
        throw new TransientChannelError('Le réseau ne répond pas pour le moment (erreur 503).');
      case 'timeout':
        throw new TransientChannelError('Le réseau n’a pas répondu à temps.');
      case 'rate-limit':
        throw new RateLimitedError('Trop de publications envoyées à ce réseau : il faut attendre.', new Date(Date.now() + 15 * 60_000));
      case 'flaky':
        if (p.attempts < (s.failures ?? 1)) throw new TransientChannelError('Le réseau ne répond pas pour le moment (erreur 503).');
        break;
    }
    this.delivered.push({ publicationId: p.id, articleId: article.id, text });
    return { externalId: `test-${p.id}`, url: `https://test.invalid/posts/${p.id}` };
  }

  private async viaHttp(endpoint: string, article: PublishableArticle, p: PublicationContext, text: string, signal: AbortSignal, timeoutMs: number): Promise<PublishResult> {
    let res: Response;
    try {
      res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `publication-${p.id}` },
        body: JSON.stringify({ publicationId: p.id, articleId: article.id, text }),
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      });
    } catch {
      throw new TransientChannelError('Le réseau n’a pas répondu à temps.');
    }
    if (res.status === 429) {
      const reset = Number(res.headers.get('x-ratelimit-reset'));
      throw new RateLimitedError('Trop de publications envoyées à ce réseau : il faut attendre.', new Date(Number.isFinite(reset) && reset > 0 ? reset * 1000 : Date.now() + 60_000));
    }
    if (res.status >= 500) throw new TransientChannelError(`Le réseau ne répond pas pour le moment (erreur ${res.status}).`);
    if (res.status >= 400) throw new PermanentChannelError(`Le réseau a refusé la publication (erreur ${res.status}).`);
    const body = (await res.json()) as { id?: string; url?: string };
    return { externalId: String(body.id ?? `test-${p.id}`), url: body.url ?? null };
  }

  async findSent(p: PublicationContext, signal: AbortSignal): Promise<PublishResult | null | undefined> {
    const s = p.account.settings as { endpoint?: string; lookup?: boolean };
    if (!s.endpoint || !s.lookup) return undefined;
    const res = await fetch(`${s.endpoint}?publicationId=${p.id}`, { signal });
    if (res.status === 404) return null;
    if (!res.ok) return undefined;
    const body = (await res.json()) as { id?: string; url?: string };
    return { externalId: String(body.id ?? `test-${p.id}`), url: body.url ?? null };
  }

  async fetchMetrics(): Promise<{ likes: number }> {
    return { likes: 0 };
  }

  async retract(): Promise<void> {}
}
