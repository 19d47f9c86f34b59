import type { Browser, BrowserContext, Page } from 'playwright-core';
import { isolatedContext, type ViewportName } from './browser';

export interface Login {
  email: string;
  password: string;
}

/** Logs in through the admin's form, as a person does, and waits until the login page is left. */
export async function logIn(page: Page, origin: string, login: Login): Promise<void> {
  await page.goto(`${origin}/admin/login`);
  await page.locator('#email').fill(login.email);
  await page.locator('#password').fill(login.password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/admin/login')), page.getByRole('button', { name: 'Se connecter' }).click()]);
}

/**
 * A logged-in admin page in Chromium, with what went wrong in it: console errors and warnings
 * (CSP refusals are reported there), uncaught exceptions, and requests to any other origin.
 */
export async function adminPage(
  browser: Browser,
  origin: string,
  login: Login,
  opts: { viewport?: ViewportName; bypassCSP?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page; problems: string[]; outbound: string[] }> {
  const { context, outbound } = await isolatedContext(browser, origin, opts);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
  await logIn(page, origin, login);
  return { context, page, problems, outbound };
}

/** An isolated context whose session is logged in, for tests that open their own tabs in it. */
export async function loggedInContext(
  browser: Browser,
  origin: string,
  login: Login,
  opts: { viewport?: ViewportName; bypassCSP?: boolean } = {},
): Promise<{ context: BrowserContext; outbound: string[] }> {
  const { context, outbound } = await isolatedContext(browser, origin, opts);
  const tab = await context.newPage();
  await logIn(tab, origin, login);
  await tab.close();
  return { context, outbound };
}

/**
 * Waits until the visual editor holds the keyboard again. A dialog that closes hands focus back
 * through Tiptap's focus command, which waits for the next animation frame: keys typed before
 * then go to the page, not the text (seen on a loaded machine as a lost first letter).
 */
export async function editorFocused(page: Page): Promise<void> {
  await page.waitForFunction("document.activeElement?.closest('.ProseMirror') != null");
}
