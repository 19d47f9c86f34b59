import type { Browser, BrowserContext, Page } from 'playwright-core';
import { isolatedContext, type ViewportName } from './browser';

/**
 * A logged-in admin page in Chromium, with what went wrong in it: console errors and warnings
 * (CSP refusals are reported there), uncaught exceptions, and requests to any other origin.
 */
export async function adminPage(
  browser: Browser,
  origin: string,
  login: { email: string; password: string },
  opts: { viewport?: ViewportName; bypassCSP?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page; problems: string[]; outbound: string[] }> {
  const { context, outbound } = await isolatedContext(browser, origin, opts);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
  await page.goto(`${origin}/admin/login`);
  await page.locator('#email').fill(login.email);
  await page.locator('#password').fill(login.password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/admin/login')), page.getByRole('button', { name: 'Se connecter' }).click()]);
  return { context, page, problems, outbound };
}
