import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { findChromium, missingMessage } from '../../scripts/find-chromium.mjs';
import { ROOT } from '../support/serve.js';
import { KEY, OPERATOR, SERVICE, startCommunity, type Community } from './community.js';

/**
 * The console's browser tests: the system Chromium driven by playwright-core (no browser is
 * downloaded), against the community server of community.ts. Screenshots go to
 * test-artifacts/admin/ (gitignored), kept for a person to look at after a run.
 */

export const ARTIFACTS = `${ROOT}test-artifacts/admin/`;
mkdirSync(ARTIFACTS, { recursive: true });
if (!existsSync(`${ROOT}dist/admin/index.html`)) throw new Error('Run `npm run build:admin` before the console tests');

export async function launch(): Promise<Browser> {
  const executablePath = findChromium() as string | null;
  if (!executablePath) throw new Error(missingMessage());
  return chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
}

export interface Session {
  c: Community;
  browser: Browser;
}

/**
 * The community server and a browser for the test file that calls it: started before its tests, both
 * closed after them. `started` receives them (and may prepare more) once they run.
 */
export function withCommunity(started: (session: Session) => void | Promise<void>): void {
  let session: Partial<Session> = {};
  before(async () => {
    session.c = await startCommunity();
    session.browser = await launch();
    await started(session as Session);
  });
  after(async () => {
    await session.browser?.close();
    await session.c?.close();
    session = {};
  });
}

export interface Opened {
  context: BrowserContext;
  page: Page;
  /** What went wrong in the page: console errors and uncaught exceptions. */
  errors: string[];
}

export async function open(browser: Browser, options: { width?: number; scheme?: 'light' | 'dark' } = {}): Promise<Opened> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: 900 }, colorScheme: options.scheme ?? 'light', reducedMotion: 'reduce' });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // A refusal the test provoked is logged by the browser as a failed resource: not a fault of the page.
    if (/Failed to load resource/.test(m.text())) return;
    // axe-core (evaluated by the test, so of no URL) styles elements it measures in shadow roots, which the CSP refuses.
    if (m.location().url === '' && /Content Security Policy/.test(m.text())) return;
    errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors };
}

/** Signs in with the service's key through the form, as a person would. */
export async function signIn(page: Page, c: Community, key = KEY): Promise<void> {
  await page.goto(`${c.base}/admin`);
  await page.getByLabel('Service', { exact: true }).fill(SERVICE);
  await page.getByLabel('Key', { exact: true }).fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // The shell's first page (the navigation is folded away on a phone's width).
  await page.locator('main h1').first().waitFor();
}

export async function signInAsOperator(page: Page, c: Community): Promise<void> {
  await page.goto(`${c.base}/admin`);
  await page.getByLabel('The operator token').check();
  await page.getByLabel('Operator token', { exact: true }).fill(OPERATOR);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Services', level: 1 }).waitFor();
}

/** Opens a page of the console and waits until nothing on it says it is loading. */
export async function visit(page: Page, c: Community, route: string): Promise<void> {
  await page.goto(`${c.base}/admin#/${route}`);
  await page.locator('main h1').first().waitFor();
  await settle(page, route);
}

export async function settle(page: Page, what = 'the page'): Promise<void> {
  const loaded = page.waitForFunction(() => !document.querySelector('main .loading'), undefined, { timeout: 20_000 });
  await loaded.catch(async () => {
    throw new Error(`${what} still says ${JSON.stringify(await page.locator('main .loading').first().textContent())} after 20 s`);
  });
  // uPlot draws in the next frame.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

export async function shot(page: Page, name: string): Promise<string> {
  const path = `${ARTIFACTS}${name}.png`;
  // caret 'initial': hiding it would add a style element, which the console's CSP rightly refuses.
  await page.screenshot({ path, fullPage: true, caret: 'initial' });
  return path;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/**
 * axe-core's violations on the page as it is. Evaluated through the DevTools protocol, which the
 * page's Content-Security-Policy does not govern (a script tag would be refused, rightly).
 */
export async function axe(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const result = await (window as any).axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v: any) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n: any) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
}

export const describeViolations = (violations: AxeViolation[]) =>
  violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `   ${n.target.join(' ')}: ${n.failureSummary ?? ''}`).join('\n')}`).join('\n');

/** Resolves once `check` holds, or fails after `ms` naming what it waited for. */
export async function until<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
