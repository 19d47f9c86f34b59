import {
  outcome,
  type ChannelAdapter,
  type ChannelPorts,
  type PublicationContext,
  type PublishableArticle,
  type PublishOutcome,
} from '../../server/publishing/channels/channel-adapter';
import { textCapability } from '../../server/publishing/post-count';

/**
 * A channel for tests and benchmarks, registered by them only (createTestContext, the bench, and
 * child processes through test-channel.register.ts). Its account settings tell it to succeed,
 * fail, time out or be rate-limited. With `endpoint`, it really POSTs each publication to that
 * URL (a local peer) and maps the HTTP answer the way social adapters do, so that tests across
 * processes can count what was delivered.
 *
 * settings: { mode?: 'succeed' | 'fail' | 'transient' | 'timeout' | 'rate-limit' | 'flaky' | 'revoked',
 *             failures?: number (for flaky), endpoint?: string, timeoutMs?: number,
 *             lookup?: boolean (after a crash, ask the endpoint whether the post arrived) }
 */
export class TestAdapter implements ChannelAdapter {
  readonly channel = 'test';
  readonly label = 'Réseau de test';
  readonly capabilities = {
    followsArticle: false,
    needsSitePage: false,
    canRetract: true,
    threads: false,
    repeatable: false,
    // The counter the networks use (one Segmenter for the process): a new one per count cost the dispatch benchmark 6 % of its CPU.
    text: textCapability(500, 'graphemes'),
    images: { max: 1, maxBytes: 5_000_000 },
    metricsEveryMs: 3600_000,
    reportsImpressions: false,
  };
  readonly connect = { kind: 'none' } as const;
  readonly delivered: { publicationId: number; articleId: number; text: string; url: string }[] = [];

  async publish(article: PublishableArticle, p: PublicationContext, ports: ChannelPorts, signal: AbortSignal): Promise<PublishOutcome> {
    const s = p.account.settings as { mode?: string; failures?: number; endpoint?: string; timeoutMs?: number };
    const text = p.textVariant ?? article.title;
    if (s.endpoint) return this.viaHttp(s.endpoint, article, p, text, signal, s.timeoutMs ?? 10_000);
    switch (s.mode ?? 'succeed') {
      case 'fail':
        return outcome.permanent('test.refused');
      case 'transient':
        return outcome.transient('network.unavailable', { status: 503 });
      case 'timeout':
        return outcome.transient('network.timeout');
      case 'rate-limit':
        return outcome.rateLimited(new Date(ports.clock.now().getTime() + 15 * 60_000));
      case 'revoked':
        return outcome.reconnect('account.reconnect', { account: p.account.label });
      case 'flaky':
        if (p.attempts < (s.failures ?? 1)) return outcome.transient('network.unavailable', { status: 503 });
        break;
    }
    this.delivered.push({ publicationId: p.id, articleId: article.id, text, url: ports.articleUrl() });
    return outcome.sent(`test-${p.id}`, `https://test.invalid/posts/${p.id}`);
  }

  private async viaHttp(
    endpoint: string,
    article: PublishableArticle,
    p: PublicationContext,
    text: string,
    signal: AbortSignal,
    timeoutMs: number,
  ): Promise<PublishOutcome> {
    let res: Response;
    try {
      res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `publication-${p.id}` },
        body: JSON.stringify({ publicationId: p.id, articleId: article.id, text }),
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      });
    } catch {
      return outcome.transient('network.timeout');
    }
    if (res.status === 429) {
      const reset = Number(res.headers.get('x-ratelimit-reset'));
      return outcome.rateLimited(new Date(Number.isFinite(reset) && reset > 0 ? reset * 1000 : Date.now() + 60_000));
    }
    if (res.status === 401) return outcome.reconnect('account.reconnect', { account: p.account.label });
    if (res.status >= 500) return outcome.transient('network.unavailable', { status: res.status });
    if (res.status >= 400) return outcome.permanent('network.refused', { status: res.status });
    const body = (await res.json()) as { id?: string; url?: string };
    return outcome.sent(String(body.id ?? `test-${p.id}`), body.url ?? null);
  }

  async findSent(p: PublicationContext, _ports: ChannelPorts, signal: AbortSignal): Promise<{ externalId: string; url: string | null } | null | undefined> {
    const s = p.account.settings as { endpoint?: string; lookup?: boolean };
    if (!s.endpoint || !s.lookup) return undefined;
    const res = await fetch(`${s.endpoint}?publicationId=${p.id}`, { signal });
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`the network answered ${res.status} to the look-up`);
    const body = (await res.json()) as { id?: string; url?: string };
    return { externalId: String(body.id ?? `test-${p.id}`), url: body.url ?? null };
  }

  async fetchMetrics(p: PublicationContext & { externalId: string }): Promise<{ likes: number; reposts: number }> {
    return { likes: p.id % 7, reposts: 1 };
  }

  async retract(): Promise<void> {}
}
