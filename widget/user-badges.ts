import { html, nothing, render, type TemplateResult } from 'lit/html.js';
import { usersQuery, type UserBadgesError } from './api.js';
import { badgesOf, type BadgeData } from './badge.js';
import { defaultBadge } from './default-badge.js';
import { serverOf } from './config.js';
import { emit, warn } from './events.js';
import { escaped, globalRenderBadge, legacyRenderBadge } from './legacy.js';
import { loadUser, type UserResult } from './loader.js';
import { sanitizeHTML } from './sanitize.js';
import { sharedSheet } from './styles.js';
import { themeUrl } from './theme.js';

/**
 * Draws one badge instead of the default markup. Return a Lit template, a DOM node or an HTML string
 * (sanitised; a hook that returns strings is given the badge with its string fields HTML-escaped,
 * so concatenating them shows them as text). `undefined` keeps the default markup; `null` or `''`
 * leaves the badge out.
 */
export type RenderBadge = (
  badge: BadgeData,
  element: UserBadgesElement,
) => TemplateResult | Node | string | null | undefined;

/**
 * Where the element is: `idle` (no service or user), `loading`, `ready`, `empty` (the user holds
 * no badge), `unknown` (the service has no such user) or `error`.
 */
export type UserBadgesState = 'idle' | 'loading' | 'ready' | 'empty' | 'unknown' | 'error';

const stringHooks = new WeakSet<RenderBadge>();
const THEMES = 'auto, light, dark, stackoverflow, github, minimal, none';

/** `HTMLElement`, or a stand-in where there is none, so that importing the module on a server does not crash. */
const Base = (globalThis.HTMLElement ?? class {}) as typeof HTMLElement;

/**
 * Shows the badges a user earned, fetched from the display server in batches shared with every
 * other `<user-badges>` on the page, and drawn with a theme.
 *
 * Attributes are the source of truth: each property reads and writes its attribute, so both always
 * agree, and any change re-renders (once per microtask). Templates are rendered with Lit (lit-html).
 *
 * @summary The badges of one user of one service.
 * @tag user-badges
 *
 * @attr service - The service on the display server, e.g. `demo`.
 * @attr user - The user whose badges are shown.
 * @attr theme - `auto` (default: dark only where the page declares a dark colour scheme), `light`, `dark`, `stackoverflow`, `github`, `minimal`, `none`, or the URL of a theme stylesheet.
 * @attr server - Origin of the display server. Default: the origin the script was loaded from.
 * @attr sort - Badge order: `name`, `-name`, `count`, `-count`, `date` or `-date`. Default: the server's.
 * @attr show - `earned` (default): the badges the user earned; `all`: every badge of the service, those not earned yet dimmed, those in progress with a progress bar.
 * @attr tags - Comma-separated tags: only badges having any of them, e.g. `tags="course,css"`.
 * @attr state - Set by the element: `idle`, `loading`, `ready`, `empty`, `unknown` or `error`.
 *
 * @slot - Fallback content: shown before the element upgrades, while loading (in place of the
 *   skeleton) and when the badges cannot be loaded.
 * @slot empty - Shown when the user holds no badge or is unknown. Default: "No badges yet".
 *
 * @csspart list - The `<ul>` of badges.
 * @csspart item - One `<li>`, holding one badge.
 * @csspart badge - A badge drawn by the default markup (`span.userbadge`).
 * @csspart badge-gold - A badge whose `type` is `gold` (likewise `badge-<type>` for any type). Its `::before` is the tier icon.
 * @csspart badge-earned - A badge the user earned (every badge, unless `show="all"`).
 * @csspart badge-in_progress - With `show="all"`: a badge the user is on the way to; it holds a `progress` bar when the server says how far.
 * @csspart badge-unearned - With `show="all"`: a badge the user has not earned yet (dimmed by the themes).
 * @csspart image - The badge's image (its state's `image_url` in `badge_states`, else its `image` field), shown instead of the tier icon.
 * @csspart progress - The progress bar of a badge in progress (`role="progressbar"`); its filled part is its `<i>` child.
 * @csspart link - The badge's link, when it has a `link` field.
 * @csspart name - The badge's title, else its name.
 * @csspart count - The `×2` shown when the user was awarded the badge more than once.
 * @csspart details - The card of details (name, tier, description, dates, how many in all) shown on hover or focus.
 * @csspart status - The "No badges yet" and "Badges unavailable" texts.
 * @csspart skeleton - The placeholder shown while loading.
 *
 * @cssproperty --user-badges-gap - Space between badges.
 * @cssproperty --user-badges-font - Font family of the badges.
 * @cssproperty --user-badges-font-size - Font size of the badges.
 * @cssproperty --user-badges-color - Text colour of a badge.
 * @cssproperty --user-badges-bg - Background of a badge.
 * @cssproperty --user-badges-border - Border colour of a badge.
 * @cssproperty --user-badges-radius - Corner radius of a badge.
 * @cssproperty --user-badges-padding - Padding inside a badge.
 * @cssproperty --user-badges-count-color - Colour of the `×2` count (default: `--user-badges-color` when set).
 * @cssproperty --user-badges-muted - Colour of the status texts.
 * @cssproperty --user-badges-gold - Colour of the `gold` tier icon.
 * @cssproperty --user-badges-silver - Colour of the `silver` tier icon.
 * @cssproperty --user-badges-bronze - Colour of the `bronze` tier icon.
 * @cssproperty --user-badges-focus - Colour of the focus ring on badges.
 * @cssproperty --user-badges-skeleton - Colour of the loading placeholder.
 * @cssproperty --user-badges-progress - Colour of the filled part of progress bars (default: the badge's text colour).
 * @cssproperty --user-badges-track - Colour of the empty part of progress bars.
 *
 * @fires {UserBadgesLoadEvent} user-badges-load - The badges are drawn (`detail.found` is false for an unknown user).
 * @fires {UserBadgesErrorEvent} user-badges-error - The badges could not be loaded (`detail.error.code`).
 */
export class UserBadgesElement extends Base {
  static observedAttributes = ['service', 'user', 'theme', 'server', 'sort', 'show', 'tags', 'state'];

  /** The error behind the `error` state. */
  error?: UserBadgesError;

  private _hook?: RenderBadge;
  private _result?: UserResult;
  private _key?: string;
  private _href?: string;
  private _links: Element[] = [];
  private _pending = false;
  private _done: Promise<void> = Promise.resolve();
  private _themeDone!: () => void;
  private _themed = new Promise<void>((r) => (this._themeDone = r));

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.adoptedStyleSheets = [sharedSheet()];
    // The details card of the badge under the pointer or focus: kept inside the viewport, and
    // closed by Escape until the pointer or focus moves to another badge.
    let last: Element | null;
    const show = (e: Event) => {
      const li = (e.target as Element).closest('li');
      if (li != last) (last = li), root.querySelector('ul')?.classList.remove('closed');
      const card = li?.querySelector<HTMLElement>('.details');
      if (card)
        requestAnimationFrame(() => {
          card.style.translate = '';
          const r = card.getBoundingClientRect();
          const over = r.right + 8 - document.documentElement.clientWidth;
          if (over > 0) card.style.translate = -Math.min(over, r.left - 8) + 'px';
        });
    };
    root.addEventListener('pointerover', show);
    root.addEventListener('focusin', show);
    root.addEventListener('keydown', (e) => (e as KeyboardEvent).key == 'Escape' && root.querySelector('ul')?.classList.add('closed'));
    // A property set before the element was defined shadows its accessor: take it over.
    const self = this as unknown as Record<string, unknown>;
    for (const p of ['renderBadge', ...UserBadgesElement.observedAttributes]) {
      if (Object.hasOwn(this, p)) {
        const v = self[p];
        delete self[p];
        self[p] = v;
      }
    }
  }

  /** The service on the display server, e.g. `demo`. */
  get service(): string | undefined {
    return this._get('service');
  }
  set service(v: string | undefined) {
    this._set('service', v);
  }
  /** The user whose badges are shown. */
  get user(): string | undefined {
    return this._get('user');
  }
  set user(v: string | undefined) {
    this._set('user', v);
  }
  /** The theme by name or stylesheet URL; `auto` when the attribute is absent. */
  get theme(): string {
    return this._get('theme') || 'auto';
  }
  set theme(v: string | undefined) {
    this._set('theme', v);
  }
  /** Origin of the display server; unset means the script's origin. */
  get server(): string | undefined {
    return this._get('server');
  }
  set server(v: string | undefined) {
    this._set('server', v);
  }
  /** Badge order; unset means the server's. */
  get sort(): string | undefined {
    return this._get('sort');
  }
  set sort(v: string | undefined) {
    this._set('sort', v);
  }
  /** `all` shows unearned and in-progress badges too; unset (or `earned`) only the earned ones. */
  get show(): string | undefined {
    return this._get('show');
  }
  set show(v: string | undefined) {
    this._set('show', v);
  }
  /** Comma-separated tags: only badges having any of them; unset means every badge. */
  get tags(): string | undefined {
    return this._get('tags');
  }
  set tags(v: string | undefined) {
    this._set('tags', v);
  }
  /** Read-only in spirit: the element sets it, and reflects it to the `state` attribute for styling. */
  get state(): UserBadgesState {
    return (this._get('state') as UserBadgesState) || 'idle';
  }
  set state(v: UserBadgesState) {
    this._set('state', v);
  }
  /** Draws each badge; see {@link RenderBadge}. Takes precedence over the global `UserBadges.renderBadge`. */
  get renderBadge(): RenderBadge | undefined {
    return this._hook;
  }
  set renderBadge(v: RenderBadge | undefined) {
    this._hook = v;
    this.requestUpdate();
  }

  /** The badges shown, as render hooks receive them. */
  get badges(): BadgeData[] {
    return badgesOf(this._result);
  }

  /** Resolves once the pending render (if any) is on screen. */
  get updateComplete(): Promise<void> {
    return this._done;
  }

  connectedCallback(): void {
    this.requestUpdate();
  }

  attributeChangedCallback(_name: string, old: string | null, value: string | null): void {
    if (old !== value) this.requestUpdate();
  }

  /** Schedules one render for the end of the current task's microtasks. */
  requestUpdate(): void {
    if (this._pending) return;
    this._pending = true;
    this._done = Promise.resolve().then(() => {
      if (this.isConnected) this._update();
      this._pending = false;
    });
  }

  private _get(name: string) {
    return this.getAttribute(name) ?? undefined;
  }
  private _set(name: string, v: string | null | undefined) {
    if (v == null) this.removeAttribute(name);
    else this.setAttribute(name, v);
  }

  private _update() {
    const { service, user } = this;
    const server = serverOf(this.server);
    const query = usersQuery(this.sort, this.show, this.tags);
    const key = [server, service, user, query].join('\n');
    if (key != this._key) {
      this._key = key;
      this._result = this.error = undefined;
      if (service && user) this._load(key, server, service, user, query);
      else {
        this.state = 'idle';
        // Said only if still so a task later: a framework may set the attributes just after connecting.
        const missing = [service ? '' : 'service', user ? '' : 'user'].filter(Boolean);
        const say = `${this._desc(1)}: set the ${missing.join(' and ')} attribute${missing[1] ? 's' : ''} to show badges`;
        setTimeout(() => this.isConnected && key == this._key && warn(say));
      }
    }
    this._applyTheme(themeUrl(this.theme, server));
    render(this._render(), this.shadowRoot!);
  }

  /** How the console names this element: its tag and the attributes that pick the badges. */
  private _desc(user?: 1) {
    return `<${this.localName}${['service', 'user', 'sort', 'show', 'tags', 'server'].map((a) => (a != 'user' || user) && this.hasAttribute(a) ? ` ${a}="${this.getAttribute(a)}"` : '').join('')}>`;
  }

  private _load(key: string, server: string, service: string, user: string, query: string) {
    this.state = 'loading';
    // Shown once the theme is in place too: no flash of unstyled badges.
    Promise.all([loadUser(server, service, user, query), this._themed]).then(
      ([r]) => {
        if (key != this._key) return; // an answer for an old attribute value
        this._result = r;
        this.state = r.user ? (r.user.badges.length ? 'ready' : 'empty') : 'unknown';
        this._done.then(() => emit(this, 'user-badges-load', { service, user, found: !!r.user, badges: this.badges }));
      },
      (error: UserBadgesError) => {
        if (key != this._key) return;
        this.error = error;
        this.state = 'error';
        // The server's own message (e.g. 'Service "dmeo" does not exist'), once for all its elements.
        warn(`${this._desc()}: ${error.message} (${error.code})`);
        this._done.then(() => emit(this, 'user-badges-error', { service, user, error }));
      },
    );
  }

  /** Links the theme's stylesheet; when switching, the old one stays until the new one has loaded. */
  private _applyTheme(href: string) {
    if (href == this._href) return;
    this._href = href;
    const links = this._links;
    const done = (keep?: Element) => {
      if (href != this._href) return;
      this._links = links.filter((l) => l == keep || l.remove());
      this._themeDone();
    };
    if (!href) return done();
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    link.onload = link.onerror = (e) => {
      const t = this.theme;
      if ((e as Event).type == 'error')
        warn(`<${this.localName} theme="${t}">: no theme at ${href}` + (THEMES.split(', ').includes(t) ? '' : ` (built in: ${THEMES})`));
      done(link);
    };
    // After the current theme (so it wins once loaded), before the rendered content.
    const last = links[links.length - 1];
    if (last) last.after(link);
    else this.shadowRoot!.prepend(link);
    links.push(link);
  }

  private _render() {
    const s = this.state;
    if (s == 'ready') return html`<ul class="userbadges" part="list" aria-label="Badges">${this.badges.map((b) => this._item(b))}</ul>`;
    if (s == 'empty' || s == 'unknown') return html`<slot name="empty"><span class="status" part="status">No badges yet</span></slot>`;
    if (s == 'idle' || [...this.childNodes].some((n) => (n.nodeType == 1 ? !(n as Element).slot : n.nodeValue!.trim())))
      return html`<slot></slot>`;
    // The skeleton's pills are badges to the theme (colours, and the same height), but their
    // width and spacing do not wait for the theme: nothing moves when it loads.
    return s == 'error'
      ? html`<span class="status" part="status" title=${this.error?.message ?? ''}>Badges unavailable</span>`
      : html`<span class="skeleton" part="skeleton"><span class="vh">Loading badges</span><i class="userbadge"></i><i class="userbadge"></i><i class="userbadge"></i></span>`;
  }

  private _item(b: BadgeData) {
    const own = this._hook;
    const g = globalRenderBadge();
    let v: unknown = own ? own(stringHooks.has(own) ? escaped(b) : b, this) : g != legacyRenderBadge ? g(escaped(b)) : undefined;
    // A hook seen returning a string is called again, and from now on, with escaped fields.
    if (own && typeof v == 'string' && !stringHooks.has(own)) stringHooks.add(own), (v = own(escaped(b), this));
    if (v === null || v === '') return nothing;
    if (v === undefined) v = defaultBadge(b);
    else if (typeof v == 'string') {
      const f = sanitizeHTML(v);
      if (f.firstElementChild?.localName == 'li') return f; // a hook written for old `ul` containers
      v = f;
    }
    return html`<li part="item">${v}</li>`;
  }
}
