import { html, type TemplateResult } from 'lit';
import { refresh } from '../widget/index.ts';
import type { Badge } from '../types/api.ts';

/**
 * The badge editor's preview: the real `<user-badges>` element (the widget's ES module, bundled with
 * the console) drawing a badge that is not saved yet. Its elements name a service that cannot exist
 * (`__preview`: a service name starts with a letter or digit), and the console answers their
 * `users.json` requests itself, from the draft, without a request leaving the page: everything the
 * widget does with a real answer (themes, tiers, images, the details card) it does with this one.
 */
export const PREVIEW_SERVICE = '__preview';
const USER = 'preview';

let draft: { badge: Badge; others: Badge[] } | null = null;
let installed = false;

function answer(url: URL): Response {
  const all = url.searchParams.get('states') === 'all';
  const badges = draft ? [draft.badge, ...draft.others] : [];
  const now = new Date().toISOString();
  const body = {
    badges: Object.fromEntries(badges.map(({ name, ...fields }) => [name, { ...fields, count: Math.max(1, fields.count ?? 0), latest: fields.latest ?? now }])),
    users: (url.searchParams.get('names') ?? '').split(',').includes(USER)
      ? [{ name: USER, latest: now, badges: badges.map((b) => ({ name: b.name, count: 1, latest: now, ...(all ? { state: 'earned' } : {}) })) }]
      : [],
  };
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
}

function install() {
  if (installed) return;
  installed = true;
  const real = window.fetch.bind(window);
  const prefix = `${location.origin}/v1/${PREVIEW_SERVICE}/users.json`;
  window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    return url.startsWith(prefix) ? Promise.resolve(answer(new URL(url))) : real(input, init);
  };
}

/** Shows `badge` (and a few of the service's others beside it) in every preview element. */
export function showDraft(badge: Badge, others: Badge[]): void {
  install();
  draft = { badge, others };
  refresh(PREVIEW_SERVICE);
}

/** A preview element: the draft in a row, or as the grid's card. */
export function previewElement(theme: string, layout: 'row' | 'grid' = 'row'): TemplateResult {
  install();
  return html`<user-badges service=${PREVIEW_SERVICE} user=${USER} server=${location.origin} theme=${theme} layout=${layout === 'grid' ? 'grid' : 'row'} lang="en"></user-badges>`;
}
