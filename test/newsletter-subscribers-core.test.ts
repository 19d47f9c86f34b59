import { createTestContext, type TestContext } from './helpers/context';

/**
 * What the sender and the campaigns rely on: the audience of a digest and of an alert, the
 * still-subscribed checks, the suppression list (a hash and nothing else), and the signed links.
 */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});

async function add(email: string, status: 'pending' | 'confirmed', topics: number[], alertsOnly = false): Promise<number> {
  const repo = (ctx.c.subscribers as unknown as { d: { repo: import('../server/newsletter/subscribers.repository').SubscribersRepository } }).d.repo;
  return ctx.c.db.transaction((trx) => repo.insert({ email, status, alertsOnly, source: 'form', at: ctx.clock.now(), topics }, trx));
}

describe('the subscribers as the sender sees them', () => {
  it('gives the digest the confirmed subscribers without "alertes uniquement", and the alert everyone confirmed', async () => {
    const cats = (await ctx.c.db('categories').orderBy('id').select('id')).map((r: { id: number }) => Number(r.id));
    const a = await add('Anne@Exemple.FR', 'confirmed', [cats[1]!, cats[0]!]);
    const b = await add('bruno@exemple.fr', 'confirmed', [], true);
    await add('claire@exemple.fr', 'pending', [cats[0]!]);

    const digest = await ctx.c.subscribers.audience('digest');
    expect(digest).toEqual([{ id: a, email: 'anne@exemple.fr', topics: [cats[0], cats[1]], alertsOnly: false, tracking: false }]);
    const alert = await ctx.c.subscribers.audience('alert');
    expect(alert.map((r) => r.email)).toEqual(['anne@exemple.fr', 'bruno@exemple.fr']);
    expect(alert[1]).toMatchObject({ id: b, alertsOnly: true, topics: [] });

    expect(await ctx.c.subscribers.isSubscribed(a)).toBe(true);
    expect([...(await ctx.c.subscribers.stillSubscribed([a, b, 999]))].sort()).toEqual([a, b].sort());
  });

  it('suppresses an address: the subscriber, topics and consents go, a keyed hash stays', async () => {
    const id = await add('dora@exemple.fr', 'confirmed', []);
    await ctx.c.subscribers.suppress('  DORA@exemple.fr ', 'bounced', ctx.clock.now());
    expect(await ctx.c.subscribers.isSubscribed(id)).toBe(false);
    expect(await ctx.c.subscribers.isSuppressed('dora@EXEMPLE.fr')).toBe(true);
    expect(await ctx.c.subscribers.isSuppressed('eve@exemple.fr')).toBe(false);
    expect(await ctx.c.db('subscribers').where({ id }).first()).toBeUndefined();
    const rows = await ctx.c.db('newsletter_suppressions').select('*');
    expect(JSON.stringify(rows)).not.toMatch(/dora/i);
    expect(rows.some((r: { email_hash: string }) => /^[0-9a-f]{64}$/.test(r.email_hash))).toBe(true);
    // Twice is harmless.
    await ctx.c.subscribers.suppress('dora@exemple.fr', 'complaint', ctx.clock.now());
  });

  it('records a click as activity', async () => {
    const id = await add('fanny@exemple.fr', 'confirmed', []);
    ctx.clock.advance(86_400_000);
    await ctx.c.subscribers.recordActivity(id, ctx.clock.now());
    const row = await ctx.c.db('subscribers').where({ id }).first();
    expect(new Date(row.last_activity_at).toISOString()).toBe(ctx.clock.now().toISOString());
  });

  it('signs links per purpose: a forged, altered or other-purpose token is refused, a confirmation link expires', () => {
    const links = ctx.c.subscriberLinks;
    const manage = links.manageUrl(42);
    expect(manage).toMatch(/^http:\/\/crieur\.test\/lettre\/abonnement\/[0-9a-z]+\.[A-Za-z0-9_-]{22}$/);
    expect(links.manageUrl(42)).toBe(manage); // stable per subscriber
    const token = manage.split('/').pop()!;
    expect(links.verify(token)).toEqual({ subscriberId: 42, purpose: 'manage' });
    expect(links.verify(token, 'unsubscribe')).toBeNull();
    expect(links.verify(`${(43).toString(36)}.${token.split('.')[1]}`)).toBeNull();
    expect(links.verify(`${token.slice(0, -1)}A`)).toBeNull();
    expect(links.verify('x'.repeat(500))).toBeNull();
    const unsub = links.unsubscribeUrl(42).split('/').pop()!;
    expect(links.verify(unsub, 'unsubscribe')).toEqual({ subscriberId: 42, purpose: 'unsubscribe' });

    const confirm = links.confirmUrl(7).split('/').pop()!;
    expect(links.verify(confirm, 'confirm')).toEqual({ subscriberId: 7, purpose: 'confirm' });
    ctx.clock.advance(8 * 86_400_000);
    expect(links.verify(confirm, 'confirm')).toBeNull();
  });
});
