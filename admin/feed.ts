import { html, nothing } from 'lit';
import type { ActivityEntry } from '../types/events-schema.ts';
import { href } from './router.ts';
import { state } from './state.ts';
import { ago, errorText, Page } from './ui.ts';

/** How often the feed asks for what is new, while the page is visible. */
const POLL_MS = 4000;

/**
 * The live activity feed: awards, revocations and (with a key that may read private data) events,
 * newest first, with what arrived since the last look marked. It asks `activity.json` every few
 * seconds while the tab is visible. `role="log"`: screen readers announce entries as they arrive.
 * Fires `ub-feed-new` when entries arrived, so the page can refresh its figures.
 */
export class ActivityFeed extends Page {
  static override properties = { entries: { state: true }, error: { state: true }, fresh: { state: true }, user: {}, limit: { type: Number } };
  declare entries: ActivityEntry[] | null;
  declare error: string;
  declare fresh: Set<string>;
  /** Only this user's entries. */
  declare user: string;
  declare limit: number;
  private timer?: ReturnType<typeof setTimeout>;
  private onVisible = () => document.visibilityState === 'visible' && this.poll();

  constructor() {
    super();
    this.entries = null;
    this.error = '';
    this.fresh = new Set();
    this.user = '';
    this.limit = 15;
  }

  override connectedCallback() {
    super.connectedCallback();
    document.addEventListener('visibilitychange', this.onVisible);
    this.poll();
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    clearTimeout(this.timer);
    document.removeEventListener('visibilitychange', this.onVisible);
  }

  private async poll() {
    clearTimeout(this.timer);
    try {
      const path = this.user ? `users/${encodeURIComponent(this.user)}/activity.json` : 'activity.json';
      // Events show only to a key that may read private data; without, the feed is the public one.
      const { activity } = await state.api.request<{ activity: ActivityEntry[] }>('GET', path, { query: { page_size: this.limit }, auth: state.can('read_private') ? 'service' : 'none' });
      const keyOf = (e: ActivityEntry) => `${e.type}|${e.at}|${e.user}|${e.badge ?? e.event ?? ''}|${e.count ?? ''}`;
      const before = new Set((this.entries ?? []).map(keyOf));
      const arrived = this.entries === null ? [] : activity.filter((e) => !before.has(keyOf(e)));
      this.fresh = new Set(arrived.map(keyOf));
      this.entries = activity;
      this.error = '';
      if (arrived.length) this.dispatchEvent(new CustomEvent('ub-feed-new', { detail: arrived, bubbles: true }));
    } catch (error) {
      this.error = errorText(error);
    }
    if (this.isConnected && document.visibilityState === 'visible') this.timer = setTimeout(() => this.poll(), POLL_MS);
  }

  override render() {
    const keyOf = (e: ActivityEntry) => `${e.type}|${e.at}|${e.user}|${e.badge ?? e.event ?? ''}|${e.count ?? ''}`;
    return html`<section class="box feed" aria-labelledby="feed-title">
      <div class="box-header">
        <h2 id="feed-title">Live activity</h2>
        <span class="live-dot" title="Updates every few seconds"><span class="visually-hidden">Updates every few seconds</span></span>
      </div>
      ${this.error ? html`<p class="notice notice-error box-body">${this.error}</p>` : nothing}
      ${this.entries === null
        ? html`<p class="box-body muted">Loading…</p>`
        : this.entries.length === 0
          ? html`<p class="box-body empty">Nothing has happened yet. Awards and events show up here as they happen.</p>`
          : html`<div role="log" aria-label="Latest activity">
              <ol class="feed-list">
                ${this.entries.map((e) => html`<li class=${this.fresh.has(keyOf(e)) ? 'fresh' : ''}>${entryText(e)} <span class="muted">${ago(e.at)}</span></li>`)}
              </ol>
            </div>`}
    </section>`;
  }
}

function entryText(e: ActivityEntry) {
  const user = html`<a href=${href('members', e.user)}>${e.user}</a>`;
  if (e.type === 'award')
    return html`<span class="feed-icon feed-award" aria-hidden="true">★</span>${user} earned <strong>${e.badge}</strong>${e.count && e.count > 1 ? html` <span class="muted">(×${e.count})</span>` : nothing}${e.rule ? html` <span class="muted">by rule ${e.rule}</span>` : nothing}`;
  if (e.type === 'revocation') return html`<span class="feed-icon feed-revoke" aria-hidden="true">−</span>${user} lost <strong>${e.badge}</strong>`;
  const t = e.eventType;
  return html`<span class="feed-icon feed-event" aria-hidden="true">•</span>${user} <span class="muted">event</span> <code>${t ? `${t.source}/${t.type}/${t.action}` : e.event}</code>`;
}

customElements.define('ub-activity-feed', ActivityFeed);
