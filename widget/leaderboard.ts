import { html, nothing, render } from 'lit/html.js';

/**
 * `<user-badges-leaderboard>`: who leads a service, all time or this month or week, or the holders
 * of one badge by times earned (`GET /v1/:service/leaderboard.json`), and, with `live`, kept up to
 * date as badges are won (one `live` stream for the whole service). Its own small script
 * (`/widget/user-badges-leaderboard.js`, Lit included), so that the script-tag bundle of
 * `<user-badges>` does not grow for pages that show no leaderboard.
 *
 * @summary A service's leaderboard.
 * @tag user-badges-leaderboard
 *
 * @attr service - The service on the display server.
 * @attr period - `all` (default), `month` or `week`: the current calendar period in UTC.
 * @attr badge - Rank the holders of this badge by times earned instead.
 * @attr limit - Users per page (default 10); "Show more" reads the next page.
 * @attr live - Update as badges are won.
 * @attr theme - `auto` (default: the page's `prefers-color-scheme`), `light` or `dark`.
 * @attr server - Origin of the display server. Default: the origin the script was loaded from.
 * @attr user-href - A link for each name, `{name}` standing for it (URL-encoded), e.g. `/users/{name}`.
 * @attr label - The heading. Default: "Leaderboard", with the period.
 *
 * @csspart list - The `<ol>` of ranks.
 * @csspart row - One user's line (also `row-top` for the first three).
 * @csspart rank - The position.
 * @csspart name - The user's name (a link with `user-href`).
 * @csspart score - Their points, or times earned.
 * @csspart more - The "Show more" button.
 *
 * @cssproperty --user-badges-leaderboard-bg - Background.
 * @cssproperty --user-badges-leaderboard-fg - Text colour.
 * @cssproperty --user-badges-leaderboard-accent - Colour of the ranks and the button.
 *
 * @fires {CustomEvent} user-badges-leaderboard-load - A page is drawn (`detail.users`).
 */

interface Row {
  rank: number;
  name: string;
  score: number;
  reached: string;
}
interface Board {
  period: string;
  badge?: string;
  users: Row[];
  next: string | null;
}

const Base = (globalThis.HTMLElement ?? class {}) as typeof HTMLElement;
const script = (globalThis.document?.currentScript as HTMLScriptElement | null)?.src;
const defaultServer = script ? new URL(script).origin : '';

const STYLES = /* css */ `
  :host {
    --bg: var(--user-badges-leaderboard-bg, #ffffff);
    --fg: var(--user-badges-leaderboard-fg, #1f2328);
    --muted: #59636e;
    --line: #d1d9e0;
    --accent: var(--user-badges-leaderboard-accent, #0969da);
    --gold: #9a6700;
    --silver: #59636e;
    --bronze: #a0522d;
    display: block;
    max-width: 36rem;
    color: var(--fg);
    background: var(--bg);
    border: 1px solid var(--line);
    border-radius: 8px;
    font: 0.9375rem/1.4 system-ui, sans-serif;
  }
  :host([hidden]) { display: none; }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) {
      --bg: var(--user-badges-leaderboard-bg, #0d1117);
      --fg: var(--user-badges-leaderboard-fg, #f0f6fc);
      --muted: #9198a1;
      --line: #3d444d;
      --accent: var(--user-badges-leaderboard-accent, #4493f8);
      --gold: #e3b341;
      --silver: #b7bdc8;
      --bronze: #db8a5a;
    }
  }
  :host([theme='dark']) {
    --bg: var(--user-badges-leaderboard-bg, #0d1117);
    --fg: var(--user-badges-leaderboard-fg, #f0f6fc);
    --muted: #9198a1;
    --line: #3d444d;
    --accent: var(--user-badges-leaderboard-accent, #4493f8);
    --gold: #e3b341;
    --silver: #b7bdc8;
    --bronze: #db8a5a;
  }
  h2 { display: flex; justify-content: space-between; align-items: baseline; gap: 1rem; margin: 0; padding: 0.75rem 1rem; font-size: 1rem; border-bottom: 1px solid var(--line); }
  h2 small { color: var(--muted); font-weight: normal; font-size: 0.8125rem; }
  ol { margin: 0; padding: 0.25rem 0; list-style: none; }
  li { display: grid; grid-template-columns: auto minmax(0, 1fr) auto; align-items: center; gap: 0.75rem; padding: 0.45rem 1rem; }
  li + li { border-top: 1px solid var(--line); }
  .rank { min-width: 1.5em; font-weight: 700; font-variant-numeric: tabular-nums; color: var(--muted); text-align: end; }
  li:nth-child(1) .rank { color: var(--gold); }
  li:nth-child(2) .rank { color: var(--silver); }
  li:nth-child(3) .rank { color: var(--bronze); }
  .name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; unicode-bidi: plaintext; }
  a { color: inherit; text-decoration-color: var(--line); text-underline-offset: 0.2em; }
  a:hover { text-decoration-color: currentColor; }
  .score { font-variant-numeric: tabular-nums; font-weight: 600; }
  .score small { color: var(--muted); font-weight: normal; }
  .status { margin: 0; padding: 1rem; color: var(--muted); font-style: italic; }
  button { display: block; margin: 0.25rem auto 0.75rem; padding: 0.35rem 1rem; color: var(--accent); background: transparent; border: 1px solid var(--line); border-radius: 2em; font: inherit; cursor: pointer; }
  button:focus-visible, a:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
  .vh { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  @media (prefers-reduced-motion: no-preference) {
    li[data-changed] { animation: ub-rise 0.8s ease-out; }
  }
  @keyframes ub-rise { from { background: color-mix(in srgb, var(--accent) 18%, transparent); } }
`;

const PERIOD: Record<string, string> = { all: 'All time', month: 'This month', week: 'This week' };

export class UserBadgesLeaderboard extends Base {
  static observedAttributes = ['service', 'period', 'badge', 'limit', 'live', 'theme', 'server', 'user-href', 'label'];

  private rows: Row[] = [];
  private next: string | null = null;
  private state: 'loading' | 'ready' | 'error' = 'loading';
  private announce = '';
  private source?: EventSource;
  private timer?: ReturnType<typeof setTimeout>;
  private key = '';
  private version = 0;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLES);
    root.adoptedStyleSheets = [sheet];
  }

  connectedCallback(): void {
    this.update();
  }

  disconnectedCallback(): void {
    this.source?.close();
    this.source = undefined;
    this.key = '';
  }

  attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    if (old !== value && this.isConnected) name === 'theme' || name === 'label' || name === 'user-href' ? this.draw() : this.update();
  }

  /** The API base of the service. */
  private get base(): string {
    return `${(this.getAttribute('server') || defaultServer || location.origin).replace(/\/+$/, '')}/v1/${encodeURIComponent(this.getAttribute('service') || '')}`;
  }

  /** Reads the first page again (the attributes changed, or the board did). */
  private update(): void {
    const service = this.getAttribute('service');
    if (!service) return;
    const q = new URLSearchParams();
    for (const name of ['period', 'badge', 'limit']) if (this.getAttribute(name)) q.set(name, this.getAttribute(name)!);
    if (!q.has('limit')) q.set('limit', '10');
    const key = `${this.base}/leaderboard.json?${q}`;
    this.load(key, false);
    const wantLive = this.hasAttribute('live');
    if (wantLive && !this.source) this.listen();
    if (!wantLive && this.source) {
      this.source.close();
      this.source = undefined;
    }
  }

  private async load(url: string, append: boolean, changed = false): Promise<void> {
    const version = ++this.version;
    if (!append && url !== this.key) {
      this.key = url;
      this.state = 'loading';
      this.draw();
    }
    try {
      const response = await fetch(url, { mode: 'cors', credentials: 'omit' });
      const board = (await response.json()) as Board & { error?: { message: string } };
      if (!response.ok) throw new Error(board.error?.message ?? `HTTP ${response.status}`);
      if (version !== this.version) return;
      const before = new Map(this.rows.map((r) => [r.name, r.score]));
      this.rows = append ? [...this.rows, ...board.users] : board.users;
      this.next = board.next;
      this.state = 'ready';
      if (changed) {
        const moved = this.rows.filter((r) => before.get(r.name) !== r.score);
        this.announce = moved.length ? `Leaderboard updated: ${moved.map((r) => `${r.name} ${r.rank}`).join(', ')}` : '';
        this.changed = new Set(moved.map((r) => r.name));
      }
      this.draw();
      this.dispatchEvent(new CustomEvent('user-badges-leaderboard-load', { detail: { users: this.rows }, bubbles: true, composed: true }));
    } catch (error) {
      if (version !== this.version) return;
      this.state = 'error';
      console.warn(`<user-badges-leaderboard service="${this.getAttribute('service')}">: ${(error as Error).message}`);
      this.draw();
    }
  }

  private changed = new Set<string>();

  /** One stream for the whole service; a change reads the board again, once per burst. */
  private listen(): void {
    const source = (this.source = new EventSource(`${this.base}/live`));
    const again = () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        const shown = Math.max(this.rows.length, Number(this.getAttribute('limit')) || 10);
        const url = new URL(this.key);
        url.searchParams.set('limit', String(Math.min(shown, 1000)));
        this.load(url.href, false, true).then(() => (this.key = url.href));
      }, 300);
    };
    for (const type of ['award', 'revoke', 'badge', 'reload']) source.addEventListener(type, again);
  }

  private draw(): void {
    const period = this.getAttribute('period') || 'all';
    const badge = this.getAttribute('badge');
    const label = this.getAttribute('label') || (badge ? `Top holders of ${badge}` : 'Leaderboard');
    const href = this.getAttribute('user-href');
    const unit = (n: number) => (badge ? (n == 1 ? 'time' : 'times') : n == 1 ? 'point' : 'points');
    const changed = this.changed;
    this.changed = new Set();
    const name = (n: string) => (href ? html`<a href=${href.replaceAll('{name}', encodeURIComponent(n))}>${n}</a>` : n);
    const body =
      this.state === 'loading'
        ? html`<p class="status">Loading…</p>`
        : this.state === 'error'
          ? html`<p class="status">Leaderboard unavailable</p>`
          : this.rows.length === 0
            ? html`<p class="status">Nobody yet</p>`
            : html`<ol part="list" aria-label=${`${label}, ${PERIOD[period] ?? period}`}>
                ${this.rows.map(
                  (r) =>
                    html`<li part=${r.rank <= 3 ? 'row row-top' : 'row'} ?data-changed=${changed.has(r.name)}>
                      <span class="rank" part="rank"><span class="vh">Rank </span>${r.rank}</span>
                      <span class="name" part="name">${name(r.name)}</span>
                      <span class="score" part="score">${r.score.toLocaleString(document.documentElement.lang || undefined)} <small>${unit(r.score)}</small></span>
                    </li>`,
                )}
              </ol>`;
    render(
      html`<h2>${label} <small>${PERIOD[period] ?? period}</small></h2>
        ${body}
        ${this.next && this.state === 'ready' ? html`<button part="more" @click=${() => this.load(new URL(this.next!, this.base).href, true)}>Show more</button>` : nothing}
        <span class="vh" role="status" aria-live="polite">${this.announce}</span>`,
      this.shadowRoot!,
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'user-badges-leaderboard': UserBadgesLeaderboard;
  }
}

/** Registers the element once; a second copy of the script leaves the first in place. */
export function defineLeaderboard(tag = 'user-badges-leaderboard'): void {
  if (typeof customElements == 'undefined' || customElements.get(tag)) return;
  customElements.define(tag, tag == 'user-badges-leaderboard' ? UserBadgesLeaderboard : class extends UserBadgesLeaderboard {});
}

defineLeaderboard();
