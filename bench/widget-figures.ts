/**
 * Figure 5: the widget's bundle sizes beside jQuery's and the requests of a page with 200 elements,
 * from the widget's own benchmark (`npm run bench:widget -- --json`, bench/widget.mjs).
 */
import { execFileSync } from 'node:child_process';
import { ROOT } from '../test/support/serve.js';
import type { Group } from './lib/group.js';
import { fmt, type Figure } from './lib/report.js';

export const widget: Group = {
  name: 'widget',
  summary: 'The widget: bundle sizes beside jQuery, requests for a page with 200 elements (5a, 5b)',
  figures: ['5'],
  run: async (bench) => {
    if (!bench.wants('5')) return;
    bench.log('widget: npm run -s bench:widget -- --json');
    const widget = widgetFigures();
    const figures = widget.available
      ? widgetRows(widget.data)
      : [{ id: '5', figure: 'Widget: bundle size beside jQuery; requests for 200 elements', measured: `not available (${widget.reason})`, target: 'reported', pass: null }];
    return { figures, raw: widget };
  },
};

function widgetFigures(): { available: true; data: Record<string, unknown> } | { available: false; reason: string } {
  let stdout: string;
  try {
    stdout = execFileSync('npm', ['run', '-s', 'bench:widget', '--', '--json'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 300_000,
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    return { available: false, reason: `npm run bench:widget failed: ${(error as Error).message.split('\n')[0]}` };
  }
  const start = stdout.indexOf('{');
  const end = stdout.lastIndexOf('}');
  if (start < 0 || end < start) return { available: false, reason: `bench:widget printed no JSON (${JSON.stringify(stdout.trim().slice(0, 80))})` };
  try {
    const data = JSON.parse(stdout.slice(start, end + 1)) as unknown;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error('not an object');
    return { available: true, data: data as Record<string, unknown> };
  } catch (error) {
    return { available: false, reason: `bench:widget output is not a JSON object: ${(error as Error).message}` };
  }
}

/** Rows for figure 5 from what the widget benchmark reports (bench/widget.mjs --json). */
function widgetRows(data: Record<string, unknown>): Figure[] {
  type Sizes = { raw?: number; gzip?: number; brotli?: number; file?: string; version?: string };
  const kb = (n: number | undefined) => (typeof n === 'number' ? `${fmt(n / 1024, 1)} KB` : '?');
  const sizes = (s: Sizes) => `${kb(s.raw)} raw, ${kb(s.gzip)} gzip, ${kb(s.brotli)} brotli`;
  const rows: Figure[] = [];
  const bundles = data.bundles as Record<string, Sizes> | undefined;
  const jquery = data.jquery as Sizes | undefined;
  const budget = data.budget as { brotli?: number; within?: boolean } | undefined;
  if (bundles && typeof bundles === 'object') {
    const parts = Object.entries(bundles).map(([name, s]) => `${name} ${sizes(s)}`);
    if (jquery) parts.push(`jQuery ${jquery.version ?? ''} min: ${sizes(jquery)}`.replace('  ', ' '));
    const smallest = Math.min(...Object.values(bundles).map((s) => s.brotli ?? Infinity));
    if (jquery?.brotli && Number.isFinite(smallest)) parts.push(`classic/jQuery brotli = ${fmt((bundles.classic?.brotli ?? smallest) / jquery.brotli, 2)}`);
    rows.push({
      id: '5a',
      figure: 'Widget bundle size beside jQuery (minified)',
      measured: parts.join('; '),
      target: budget?.brotli ? `reported; budget ${kb(budget.brotli)} brotli` : 'reported',
      pass: budget && typeof budget.within === 'boolean' ? budget.within : null,
    });
  }
  const many = data.manyElements as { elements?: number; distinctUsers?: number; drawn?: number; requests?: number; namesPerRequest?: number[]; allDrawnMs?: number } | undefined;
  if (many && typeof many === 'object') {
    rows.push({
      id: '5b',
      figure: `Widget: requests for a page with ${many.elements ?? '?'} elements`,
      measured:
        `${many.requests ?? '?'} requests (names per request: ${(many.namesPerRequest ?? []).join(', ')}) for ${many.distinctUsers ?? '?'} distinct users; ` +
        `${many.drawn ?? '?'} drawn in ${many.allDrawnMs ?? '?'} ms`,
      target: 'reported',
      pass: null,
    });
  }
  if (rows.length === 0) rows.push({ id: '5', figure: 'Widget (bench:widget --json)', measured: JSON.stringify(data).slice(0, 300), target: 'reported', pass: null });
  return rows;
}
