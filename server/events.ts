import type { Logger } from './logger';

/**
 * The one idiom for domain events: a domain announces what happened after it is committed, and
 * other domains listen (the page cache, the scheduler, the audience). A listener that fails is
 * logged and never fails the change that was announced, nor the other listeners. Work that must
 * happen with a change or not at all is not an event: it is called inside the change's own
 * transaction (ArticlesService.onChangeInTransaction).
 */
export class DomainEvents<Events extends Record<string, unknown[]>> {
  private readonly listeners = new Map<keyof Events, ((...args: never[]) => unknown)[]>();
  private log: Pick<Logger, 'error'> | null = null;

  /** Where failing listeners are reported (set by the composition root). */
  logTo(log: Pick<Logger, 'error'>): this {
    this.log = log;
    return this;
  }

  on<K extends keyof Events>(type: K, fn: (...args: Events[K]) => unknown): this {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn as (...args: never[]) => unknown]);
    return this;
  }

  /** Calls every listener of `type` now; what an asynchronous one returns is not waited for. */
  emit<K extends keyof Events>(type: K, ...args: Events[K]): void {
    for (const fn of this.listeners.get(type) ?? []) {
      try {
        const out = (fn as (...a: Events[K]) => unknown)(...args);
        if (out instanceof Promise) out.catch((err: unknown) => this.fail(err, type));
      } catch (err) {
        this.fail(err, type);
      }
    }
  }

  private fail(err: unknown, type: keyof Events): void {
    this.log?.error({ err, event: String(type) }, 'event listener failed');
  }

  /** Calls the listeners one after the other, waiting for each (the articles' announcements). */
  async emitAndWait<K extends keyof Events>(type: K, ...args: Events[K]): Promise<void> {
    for (const fn of this.listeners.get(type) ?? []) {
      try {
        await (fn as (...a: Events[K]) => unknown)(...args);
      } catch (err) {
        this.fail(err, type);
      }
    }
  }
}
