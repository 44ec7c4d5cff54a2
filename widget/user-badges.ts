import { html, nothing, render, type TemplateResult } from 'lit/html.js';
import { usersQuery, type UserBadgesError } from './api.js';
import { badgesOf, type BadgeData } from './badge.js';
import { chunk, loaded } from './chunks.js';
import { defaultBadge } from './default-badge.js';
import { serverOf } from './config.js';
import { emit, warn } from './events.js';
import { addMessages, catalogueOf, localeOf, type Locale, type SiteMessages } from './i18n.js';
import { globalRenderBadge, legacyRenderBadge } from './legacy.js';
import { clearCache, loadUser, norm, type UserResult } from './loader.js';
import { sharedSheet, sheetOf } from './styles.js';
import { themeUrl } from './theme.js';
import type { Compact } from './chunks/compact.js';
import type { Details } from './chunks/details.js';
import type { Strings } from './chunks/strings.js';
import type { View, ViewContext } from './view.js';

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

const THEMES = 'auto, light, dark, stackoverflow, github, minimal, none';
/** The attributes whose properties read and write them as they are (`theme` and `state` have defaults). */
const PLAIN = ['service', 'user', 'server', 'sort', 'show', 'tags', 'max', 'variant', 'layout', 'empty', 'group'] as const;
/** The elements on the page, for `refresh()` and `messages()`. */
const live = new Set<UserBadgesElement>();
let watching = false;
const redraw = () => live.forEach((el) => el.requestUpdate());

/** `HTMLElement`, or a stand-in where there is none, so that importing the module on a server does not crash. */
const Base = (globalThis.HTMLElement ?? class {}) as typeof HTMLElement;

/**
 * Shows the badges a user earned, fetched from the display server in batches shared with every
 * other `<user-badges>` on the page, and drawn with a theme, in the page's language.
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
 * @attr sort - Badge order: `tier` (featured first, then gold, silver, bronze, other; then the most awarded; then by name; the default of the compact variants), or the server's `name`, `-name`, `count`, `-count`, `date` or `-date`. Default: the server's order.
 * @attr show - `earned` (default): the badges the user earned; `all`: every badge of the service, those not earned yet dimmed, those in progress with a progress bar.
 * @attr tags - Comma-separated tags: only badges having any of them, e.g. `tags="course,css"`.
 * @attr max - At most this many badges (compact, for posts: one line, by tier), then a "+N" button that opens the rest in the details popover.
 * @attr variant - `badges` (default): a pill per badge; `summary`: the count of badges per tier (gold star, silver diamond, bronze disc), a button that opens them all (compact, for posts).
 * @attr layout - `row` (default): badges side by side; `grid`: a card per badge, image first, with title, tier, description, date and count (for profiles).
 * @attr group - `tags`: with `layout="grid"`, the cards under a heading per tag.
 * @attr empty - `hide`: no box at all for a user without badges or unknown (the default of the compact variants, `max` and `summary`); `show`: "No badges yet" (the default otherwise).
 * @attr lang - The language of the texts, dates and numbers (else the nearest `lang` above, else English): `en`, `de`, `fr`, `es`, `pt-BR`, `ja`, `ar` built in, any other added with `UserBadges.messages()`.
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
 * @csspart details - The card of details (name, tier, description, dates, how many in all) shown on hover or focus, and in the popover.
 * @csspart more - The "+N" button of `max` (and the summary's button): opens the `popover`.
 * @csspart popover - The details popover: the badges beyond `max` (all of them for the summary), each with its details.
 * @csspart summary - With `variant="summary"`: the button holding a `tally` per tier.
 * @csspart tally - One tier's count in the summary (also `tally-gold`, `tally-silver`, `tally-bronze`, `tally-other`); its `::before` is the tier icon.
 * @csspart grid - With `layout="grid"`: the `<ul>` of cards (one per group with `group="tags"`).
 * @csspart card - One card of the grid (also `card-earned`, `card-in_progress`, `card-unearned`, and `card-<type>`).
 * @csspart art - The card's image, or its tier drawn large.
 * @csspart title - The card's title (a link when the badge has one).
 * @csspart tier - The card's tier and count ("gold badge · ×2").
 * @csspart description - The card's description.
 * @csspart date - The card's last line: when it was earned, how far the user is, or "Not earned yet".
 * @csspart group - With `group="tags"`: the section of one tag.
 * @csspart group-title - Its heading.
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
 * @cssproperty --user-badges-wrap - `wrap` lets the compact variants (`max`, `summary`) take a second line; default `nowrap`.
 * @cssproperty --user-badges-image-size - Size of a card's image in the grid, 48px to 96px (default 64px).
 * @cssproperty --user-badges-card-width - Narrowest width of a card in the grid (default 9.5rem).
 *
 * @fires {UserBadgesLoadEvent} user-badges-load - The badges are drawn (`detail.found` is false for an unknown user); again after each `refresh()`.
 * @fires {UserBadgesErrorEvent} user-badges-error - The badges could not be loaded (`detail.error.code`).
 */
export class UserBadgesElement extends Base {
  static observedAttributes = [...PLAIN, 'theme', 'state', 'lang'];

  /** The service on the display server, e.g. `demo`. */
  declare service?: string;
  /** The user whose badges are shown. */
  declare user?: string;
  /** Origin of the display server; unset means the script's origin. */
  declare server?: string;
  /** Badge order: `tier`, or one of the server's; unset means the server's (`tier` for the compact variants). */
  declare sort?: string;
  /** `all` shows unearned and in-progress badges too; unset (or `earned`) only the earned ones. */
  declare show?: string;
  /** Comma-separated tags: only badges having any of them; unset means every badge. */
  declare tags?: string;
  /** At most this many badges, then "+N"; unset means all. */
  declare max?: string;
  /** `summary` for the counts per tier; unset (or `badges`) for a pill per badge. */
  declare variant?: string;
  /** `grid` for cards; unset (or `row`) for badges side by side. */
  declare layout?: string;
  /** `tags` to group the grid's cards by tag. */
  declare group?: string;
  /** `hide` or `show`: what a user without badges gets; unset means `hide` for the compact variants, `show` otherwise. */
  declare empty?: string;

  /** The error behind the `error` state. */
  declare error?: UserBadgesError;

  declare private _hook?: RenderBadge;
  declare private _result?: UserResult;
  declare private _key?: string;
  declare private _stale?: boolean;
  declare private _href?: string;
  private _links: Element[] = [];
  private _pending = false;
  private _done: Promise<void> = Promise.resolve();
  private _loading: Promise<void> = Promise.resolve();
  declare private _themeDone: () => void;
  private _themed = new Promise<void>((r) => (this._themeDone = r));

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.adoptedStyleSheets = [sharedSheet()];
    // The details card of the badge under the pointer or focus: the `details` chunk, loaded when first used.
    const on = (e: Event) => {
      // Read now: once dispatched, an event in a shadow tree has no target any more.
      const { type, target } = e;
      const key = (e as KeyboardEvent).key;
      chunk<Details>('details').then((d) => d?.on(root, type, target as Element, key));
    };
    for (const type of ['pointerover', 'focusin', 'keydown']) root.addEventListener(type, on);
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

  /** The theme by name or stylesheet URL; `auto` when the attribute is absent. */
  get theme(): string {
    return this.getAttribute('theme') || 'auto';
  }
  set theme(v: string | undefined) {
    setAttr(this, 'theme', v);
  }
  /** Read-only in spirit: the element sets it, and reflects it to the `state` attribute for styling. */
  get state(): UserBadgesState {
    return (this.getAttribute('state') as UserBadgesState) || 'idle';
  }
  set state(v: UserBadgesState) {
    setAttr(this, 'state', v);
  }
  /** Draws each badge; see {@link RenderBadge}. Takes precedence over the global `UserBadges.renderBadge`. */
  get renderBadge(): RenderBadge | undefined {
    return this._hook;
  }
  set renderBadge(v: RenderBadge | undefined) {
    this._hook = v;
    this.requestUpdate();
  }

  /**
   * The badges shown, as render hooks receive them, in the order shown: with `sort="tier"` (the
   * default of `max` and `variant="summary"`), the featured ones first, then by tier.
   */
  get badges(): BadgeData[] {
    const list = badgesOf(this._result);
    const c = this._compact() && loaded<Compact>('compact');
    return c ? c.byTier(list, this._result?.user?.featured) : list;
  }

  /** Resolves once the pending render (if any) is on screen. */
  get updateComplete(): Promise<void> {
    return this._done;
  }

  /**
   * Asks the server again for this element's badges (batched with every other element that asks
   * in the same task) and draws the answer; the badges shown stay until it arrives. Resolves once
   * it is drawn. `UserBadges.refresh(service, user)` does the same for every element of a user.
   */
  refresh(): Promise<void> {
    clearCache();
    this._stale = true;
    this.requestUpdate();
    return this._done.then(() => this._loading);
  }

  connectedCallback(): void {
    live.add(this);
    // A page that changes its language (`<html lang>`, or an ancestor's) redraws its elements.
    if (!watching) {
      watching = true;
      new MutationObserver(redraw).observe(document.documentElement, { attributeFilter: ['lang'], subtree: true });
    }
    this.requestUpdate();
  }

  disconnectedCallback(): void {
    live.delete(this);
  }

  attributeChangedCallback(_name: string, old: string | null, value: string | null): void {
    if (old !== value) this.requestUpdate();
  }

  /** Schedules one render for the end of the current task's microtasks. */
  requestUpdate(): void {
    if (this._pending) return;
    this._pending = true;
    this._done = Promise.resolve().then(() => {
      const p = this.isConnected && this._update();
      this._pending = false;
      return p || undefined;
    });
  }

  /**
   * Ordered by tier: `sort="tier"`, or no `sort` with `max` or `variant="summary"`, the compact
   * variants (one line beside a name, hidden when empty).
   */
  private _compact() {
    const sort = this.sort;
    return sort == 'tier' || (!sort && (this.max != null || this.variant == 'summary'));
  }

  /** The language: the element's `lang`, else the nearest ancestor's, else `<html lang>`, else English. */
  private _lang() {
    return (this.closest('[lang]') as HTMLElement | null)?.lang || document.documentElement.lang || 'en';
  }

  /** The view chunk this element draws with, if any. */
  private _view() {
    return this.layout == 'grid' ? 'grid' : this.variant == 'summary' ? 'summary' : '';
  }

  /**
   * The chunks this element needs before it can draw its badges: its view (`grid`, `summary`), the
   * order by tier and the popover of the compact variants, the states of `show="all"`, its language's catalogue, and
   * the sanitiser when a render hook may return HTML strings.
   */
  private _chunks() {
    const c = catalogueOf(this._lang());
    return [
      this._view(),
      this._compact() || this.max != null || this.variant == 'summary' ? 'compact' : '',
      this.show == 'all' ? 'states' : '',
      c && 'messages/' + c,
      this._hook || globalRenderBadge() != legacyRenderBadge ? 'strings' : '',
      // Once loaded (see the constructor), its styles stay with the renders.
      loaded('details') ? 'details' : '',
      // `live` on the element or an ancestor (`<body live>`): the stream, which finds its elements itself.
      this.closest('[live]') ? 'live' : '',
    ].filter(Boolean);
  }

  /** Draws the element; when a chunk it needs is still loading, resolves once drawn with it. */
  private _update(): Promise<void> | void {
    const { service, user } = this;
    const server = serverOf(this.server);
    const query = usersQuery(this.sort == 'tier' ? '' : this.sort, this.show, this.tags);
    const key = [server, service, user, query].join('\n');
    const keep = this._stale && key == this._key;
    this._stale = false;
    const names = this._chunks();
    const chunks = Promise.all(names.map(chunk));
    if (key != this._key || keep) {
      this._key = key;
      if (!keep) this._result = this.error = undefined;
      if (service && user) this._load(key, server, service, user, query, chunks, keep);
      else {
        this.state = 'idle';
        // Said only if still so a task later: a framework may set the attributes just after connecting.
        const missing = [service ? '' : 'service', user ? '' : 'user'].filter(Boolean);
        const say = `${this._desc(1)}: set the ${missing.join(' and ')} attribute${missing[1] ? 's' : ''} to show badges`;
        setTimeout(() => this.isConnected && key == this._key && warn(say));
      }
    }
    this._applyTheme(themeUrl(this.theme, server));
    // A chunk not loaded yet (an attribute changed): the badges shown stay until it is.
    const views = names.map((n) => loaded<View>(n));
    if (views.includes(undefined) && !/^(idle|loading)$/.test(this.state)) return chunks.then(() => (this.isConnected ? this._update() : undefined));
    const root = this.shadowRoot!;
    const sheets = [sharedSheet(), ...views.flatMap((v) => (v?.css ? [sheetOf(v.css)] : []))];
    if (sheets.some((s, i) => s != root.adoptedStyleSheets[i])) root.adoptedStyleSheets = sheets;
    render(this._render(localeOf(this._lang())), root);
  }

  /** How the console names this element: its tag and the attributes that pick the badges. */
  private _desc(user?: 1) {
    return `<${this.localName}${['service', 'user', 'sort', 'show', 'tags', 'server'].map((a) => (a != 'user' || user) && this.hasAttribute(a) ? ` ${a}="${this.getAttribute(a)}"` : '').join('')}>`;
  }

  private _load(key: string, server: string, service: string, user: string, query: string, chunks: Promise<unknown>, keep?: boolean) {
    if (!keep) this.state = 'loading';
    // Shown once the theme, the view and the language are in place too: nothing flashes.
    this._loading = Promise.all([loadUser(server, service, user, query), this._themed, chunks]).then(
      ([r]) => {
        if (key != this._key) return; // an answer for an old attribute value
        this._result = r;
        this.state = r.user ? (r.user.badges.length ? 'ready' : 'empty') : 'unknown';
        this.requestUpdate();
        return this._done.then(() => emit(this, 'user-badges-load', { service, user, found: !!r.user, badges: this.badges }));
      },
      (error: UserBadgesError) => {
        if (key != this._key) return;
        this.error = error;
        // A refresh that fails keeps the badges shown.
        if (!keep) this.state = 'error';
        // The server's own message (e.g. 'Service "dmeo" does not exist'), once for all its elements.
        warn(`${this._desc()}: ${error.message} (${error.code})`);
        return this._done.then(() => emit(this, 'user-badges-error', { service, user, error }));
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

  private _render(loc: Locale) {
    const s = this.state;
    if (s == 'ready') {
      const view = loaded<View>(this._view());
      const item = (b: BadgeData, fallback?: (b: BadgeData, loc: Locale) => unknown) => this._item(b, loc, fallback);
      const c: ViewContext = {
        el: this,
        badges: this.badges,
        loc,
        item,
        more: (list, face) => loaded<Compact>('compact')?.render(list, loc, item, face),
      };
      return view ? view.render(c) : this._row(c);
    }
    if (s == 'empty' || s == 'unknown') return html`<slot name="empty"><span class="status" part="status">${loc.t('none')}</span></slot>`;
    if (s == 'idle' || [...this.childNodes].some((n) => (n.nodeType == 1 ? !(n as Element).slot : n.nodeValue!.trim())))
      return html`<slot></slot>`;
    if (s == 'error') return html`<span class="status" part="status" title=${this.error?.message ?? ''}>${loc.t('unavailable')}</span>`;
    // The skeleton's pills are badges to the theme (colours, and the same height), but their
    // width and spacing do not wait for the theme: nothing moves when it loads. The grid's is a
    // card, as tall as the cards.
    const grid = this.layout == 'grid';
    return html`<span class="skeleton" part="skeleton"><span class="vh">${loc.t('loading')}</span>${Array(grid ? 1 : this.variant == 'summary' ? 2 : Math.min(+this.max! || 3, 3)).fill(
      html`<i class=${grid ? 'card' : 'userbadge'}></i>`,
    )}</span>`;
  }

  /** The badges side by side; with `max`, the compact chunk's row (at most `max` that fit, then "+N"). */
  private _row(c: ViewContext) {
    const compact = this.max != null && loaded<Compact>('compact');
    return compact ? compact.row(c) : html`<ul class="userbadges" part="list" aria-label=${c.loc.t('badges')}>${c.badges.map((b) => c.item(b))}</ul>`;
  }

  /**
   * One `<li part="item">`: what the render hooks draw (the `strings` chunk calls them; it is
   * loaded whenever there is one, see _chunks), else `fallback`. A hook's HTML string that is a
   * list item already (written for the old `ul` containers) is the item itself.
   */
  private _item(b: BadgeData, loc: Locale, fallback: (b: BadgeData, loc: Locale) => unknown = defaultBadge) {
    const v = loaded<Strings>('strings')?.hook(b, this, this._hook);
    if (v === null || v === '') return nothing;
    if ((v as Node)?.nodeType == 11 && (v as DocumentFragment).firstElementChild?.localName == 'li') return v;
    return html`<li part="item">${v === undefined ? fallback(b, loc) : v}</li>`;
  }
}

/** Sets an attribute, or removes it for null and undefined. */
const setAttr = (el: Element, name: string, v: string | null | undefined) => (v == null ? el.removeAttribute(name) : el.setAttribute(name, v));

// The plain properties: each reads and writes its attribute.
for (const name of PLAIN)
  Object.defineProperty(UserBadgesElement.prototype, name, {
    get(this: Element) {
      return this.getAttribute(name) ?? undefined;
    },
    set(this: Element, v: string | undefined) {
      setAttr(this, name, v);
    },
  });

/**
 * Adds or overrides messages of a language for every `<user-badges>` of the page (`de` applies to
 * `de-AT` too; `en` to every language as the last resort), and redraws them:
 * `UserBadges.messages('de', { none: 'Noch keine Abzeichen' })`. A language the widget does not
 * ship is added the same way. Keys `#<tag>` name the groups of `group="tags"`.
 */
export function messages(lang: string, m: SiteMessages): void {
  addMessages(lang, m);
  redraw();
}

/**
 * Asks the server again for the badges of a user of `service` (or of all its users), for every
 * element showing them, in one batched request, and draws the answers. Resolves once they are drawn.
 */
export function refresh(service: string, user?: string): Promise<void> {
  clearCache();
  return Promise.all([...live].filter((el) => el.service == service && (user == null || norm(el.user || '') == norm(user))).map((el) => el.refresh())).then(() => {});
}
