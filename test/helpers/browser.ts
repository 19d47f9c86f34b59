import fs from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * Debian's Chromium, driven by playwright-core. Nothing here ever downloads a browser: CI
 * installs the `chromium` package (.ci/run), CHROMIUM_PATH points elsewhere if needed.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 900 },
  /** The width WCAG 1.4.10 (reflow) asks pages to fit without sideways scrolling: 320 CSS px. */
  narrow: { width: 320, height: 640 },
} as const;
export type ViewportName = keyof typeof VIEWPORTS;

export function browserAvailable(): boolean {
  return fs.existsSync(CHROMIUM_PATH);
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** The app (a test context's `handler`, as `npm start` serves it) on 127.0.0.1 and a free port (the browser needs a real address). */
export async function serve(handler: RequestListener): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer(handler).listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A browser context that can only reach `origin`: any other request (a CDN, a font, a social
 * network's script) is refused and recorded, so a test can fail on it. `bypassCSP` lets
 * axe-core be injected; keep it off to check that the page itself obeys its policy.
 */
export async function isolatedContext(
  browser: Browser,
  origin: string,
  opts: { viewport?: ViewportName; bypassCSP?: boolean } = {},
): Promise<{ context: BrowserContext; outbound: string[] }> {
  const context = await browser.newContext({
    viewport: VIEWPORTS[opts.viewport ?? 'desktop'],
    bypassCSP: opts.bypassCSP ?? false,
    locale: 'fr-FR',
    javaScriptEnabled: true,
  });
  const outbound: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url.startsWith('data:')) return route.continue();
    outbound.push(url);
    return route.abort();
  });
  return { context, outbound };
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** WCAG 2.1 A and AA, the level French law asks of communes (RGAA). */
export const WCAG21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Runs axe-core in the page (its context must have been made with bypassCSP). The in-page code is
 * a string: this project compiles without the DOM's type declarations.
 */
export async function axeViolations(page: Page, tags: string[] = WCAG21_AA): Promise<AxeViolation[]> {
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const options = JSON.stringify({ runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
  return (await page.evaluate(`window.axe.run(document, ${options}).then((r) => r.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
  })))`)) as AxeViolation[];
}

/**
 * How far the page is wider than the window (0 when it fits), and the elements that stick out
 * past its right edge, innermost first, for a readable failure. In-page code as a string: this
 * project compiles without the DOM's type declarations.
 */
export async function horizontalOverflow(page: Page): Promise<{ overflow: number; culprits: string[] }> {
  return (await page.evaluate(`(() => {
    const root = document.documentElement;
    const width = root.clientWidth;
    const culprits = [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > width + 0.5 && ![...el.children].some((c) => c.getBoundingClientRect().right > width + 0.5))
      .slice(0, 5)
      .map((el) => el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') + ' (' + Math.round(el.getBoundingClientRect().right) + ' px)');
    return { overflow: root.scrollWidth - width, culprits };
  })()`)) as { overflow: number; culprits: string[] };
}

/** One line per problem, readable in a failed test's output. */
export function describeViolations(violations: AxeViolation[]): string[] {
  return violations.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${v.help} — ${n.target.join(' ')}`));
}
