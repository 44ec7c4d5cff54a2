/** Shared helpers of the widget tests (not a test file). */
// @ts-expect-error served by the test config's plugin
import { server as displayServer } from '/__ub/env.js';

/**
 * What the widget told the console (`<user-badges ...>: ...`, `<span class="userbadges" ...>: ...`),
 * in order. Captured instead of printed: tests that misconfigure an element on purpose assert on
 * it, and the test run's output stays free of messages that look like failures.
 */
export const warnings: string[] = [];
const consoleWarn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  if (typeof args[0] == 'string' && /^<([\w-]+ class="userbadges"|user-badges)/.test(args[0])) warnings.push(args[0]);
  else consoleWarn(...args);
};

/** Origin of the real display server the test config started. */
export const server: string = displayServer;

/** A server URL that answers like `server`, `delay` ms late (a dev-server route proxying to it). */
export const slowServer = (delay: number): string => `${location.origin}/__ub/slow/${delay}`;

/**
 * A mock display server that knows the richer badges of issue 10 (`states=all`, `tags=`), serving
 * demo/learning-seed.json as the service `demo`; see test/widget/fixtures/learning-server.mjs.
 */
export const learningServer = `${location.origin}/__ub/learning`;

/** Runs `fn` and returns the requests the mock learning server received meanwhile ("/v1/...?..."). */
export const learningRequestsDuring = (fn: () => Promise<unknown>): Promise<string[]> => during(async () => (await fetch('/__ub/learning-log')).json(), fn);

/** The entries a request log gained while `fn` ran (and a moment after, for late requests). */
async function during(log: () => Promise<string[]>, fn: () => Promise<unknown>): Promise<string[]> {
  const before = (await log()).length;
  await fn();
  await new Promise((r) => setTimeout(r, 50));
  return (await log()).slice(before);
}

/** The requests the display server received so far ("GET /v1/..."). */
export async function serverLog(): Promise<string[]> {
  return (await fetch('/__ub/log')).json();
}

/** Runs `fn` and returns the `users.json` requests the display server received meanwhile. */
export async function usersRequestsDuring(fn: () => Promise<unknown>): Promise<string[]> {
  return (await during(serverLog, fn)).filter((l) => l.includes('/users.json'));
}

/** Parses `html` into a fresh container appended to the body. */
export function mount(html: string): HTMLElement {
  const div = document.createElement('div');
  div.innerHTML = html;
  document.body.append(div);
  return div;
}

export async function waitFor<T>(fn: () => T | Promise<T>, what = 'condition', timeout = 5000): Promise<NonNullable<T>> {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error('Timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 10));
  }
}

type Settled = 'ready' | 'empty' | 'unknown' | 'error';

/** Waits until the element left `loading` (or `idle`) and its render is done. */
export async function settled(el: Element, states: Settled[] = ['ready', 'empty', 'unknown', 'error']): Promise<string> {
  await waitFor(() => states.includes(el.getAttribute('state') as Settled), `${el.outerHTML} to reach ${states}`);
  await (el as unknown as { updateComplete: Promise<void> }).updateComplete;
  return el.getAttribute('state')!;
}

export const shadow = (el: Element): ShadowRoot => el.shadowRoot!;
export const $ = (el: Element, sel: string) => el.shadowRoot!.querySelector(sel) as HTMLElement | null;
export const $$ = (el: Element, sel: string) => [...el.shadowRoot!.querySelectorAll(sel)] as HTMLElement[];

/** The visible names of the badges an element shows, in order. */
export const names = (el: Element): string[] => $$(el, '.userbadge .name').map((n) => n.textContent!);

/** Loads axe-core (a UMD script) once. */
export async function axe(): Promise<{ run: (ctx: unknown, opts?: unknown) => Promise<{ violations: { id: string; help: string; nodes: unknown[] }[] }> }> {
  const w = window as unknown as { axe?: never };
  if (!w.axe) {
    await new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = '/node_modules/axe-core/axe.min.js';
      s.onload = resolve;
      s.onerror = reject;
      document.head.append(s);
    });
  }
  return (window as unknown as { axe: never }).axe;
}

export function assert(cond: unknown, message = 'assertion failed'): asserts cond {
  if (!cond) throw new Error(message);
}

export function equal<T>(actual: T, expected: T, message = ''): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${message}\n  expected ${e}\n  actual   ${a}`);
}
