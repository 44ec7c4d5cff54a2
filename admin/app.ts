import { html, nothing, type TemplateResult } from 'lit';
import { currentRoute, go, href, type Route } from './router.ts';
import { loadSession } from './session.ts';
import { state, type Need } from './state.ts';
import { errorText, fieldBlock, Page, type Notice } from './ui.ts';

interface NavItem {
  page: string;
  label: string;
  /** What the signed-in key needs for the page to be offered. */
  need?: Need;
  /** Any of these is enough. */
  needAny?: Need[];
  icon: string;
}

/** The pages of an open service, in the order of the navigation. */
export const NAV: NavItem[] = [
  { page: 'overview', label: 'Overview', icon: 'M3 13h8V3H3v10zm0 8h8v-6H3v6zm10 0h8V11h-8v10zm0-18v6h8V3h-8z' },
  { page: 'badges', label: 'Badges', icon: 'M12 2l2.9 6.3 6.9.8-5.1 4.7 1.4 6.8L12 17.2 5.9 20.6l1.4-6.8L2.2 9.1l6.9-.8z' },
  { page: 'awards', label: 'Awards', needAny: ['award', 'revoke'], icon: 'M12 15a6 6 0 1 0 0-12 6 6 0 0 0 0 12zm-4 1.2L6.5 22l5.5-3 5.5 3-1.5-5.8' },
  { page: 'members', label: 'Members', icon: 'M16 11a4 4 0 1 0-8 0 4 4 0 0 0 8 0zM4 21a8 8 0 0 1 16 0' },
  { page: 'rules', label: 'Rules', need: 'service', icon: 'M4 6h16M4 12h10M4 18h6' },
  { page: 'invitations', label: 'Invitations & codes', needAny: ['read_private', 'award'], icon: 'M3 7l9 6 9-6M3 7v10h18V7H3z' },
  { page: 'keys', label: 'Keys', need: 'service', icon: 'M15 7a4 4 0 1 1-3.9 5H3v3h3v3h3v-3h2.1A4 4 0 0 1 15 7z' },
  { page: 'webhooks', label: 'Webhooks', need: 'read_private', icon: 'M8 12a4 4 0 1 1 4 4m0 0h6m-6 0l-3 5m11-5a3 3 0 1 1-3-3' },
  { page: 'audit', label: 'Audit trail', need: 'service', icon: 'M6 3h9l3 3v15H6V3zm3 6h6m-6 4h6m-6 4h4' },
  { page: 'settings', label: 'Settings', need: 'service', icon: 'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm7.4-3a7.4 7.4 0 0 0-.1-1.3l2-1.6-2-3.4-2.4 1a7.5 7.5 0 0 0-2.2-1.3L14.3 3h-4l-.4 2.4a7.5 7.5 0 0 0-2.2 1.3l-2.4-1-2 3.4 2 1.6a7.4 7.4 0 0 0 0 2.6l-2 1.6 2 3.4 2.4-1a7.5 7.5 0 0 0 2.2 1.3l.4 2.4h4l.4-2.4a7.5 7.5 0 0 0 2.2-1.3l2.4 1 2-3.4-2-1.6c.1-.4.1-.9.1-1.3z' },
];

export const allowed = (item: NavItem) => (item.need ? state.can(item.need) : item.needAny ? item.needAny.some((n) => state.can(n)) : true);

type ThemeChoice = 'auto' | 'light' | 'dark';
const THEME_KEY = 'user-badges-admin/theme';

/**
 * The console: the sign-in form, or the shell (header, navigation, the page of the URL's
 * fragment, notices). Each page is an element of its own under pages/.
 */
export class AdminApp extends Page {
  static override properties = { ready: { state: true }, route: { state: true }, notices: { state: true }, menuOpen: { state: true }, signInError: { state: true }, busy: { state: true } };
  declare ready: boolean;
  declare route: Route;
  declare notices: Notice[];
  declare menuOpen: boolean;
  declare signInError: string;
  declare busy: boolean;
  private signInKind: 'service' | 'operator' = 'service';

  constructor() {
    super();
    this.ready = false;
    this.route = currentRoute();
    this.notices = [];
    this.menuOpen = false;
    this.signInError = '';
    this.busy = false;
    this.applyTheme((localStorage.getItem(THEME_KEY) as ThemeChoice | null) ?? 'auto');
  }

  override connectedCallback() {
    super.connectedCallback();
    state.addEventListener('change', () => this.requestUpdate());
    window.addEventListener('hashchange', () => {
      this.route = currentRoute();
      this.menuOpen = false;
      // The new page's heading takes the focus, so a screen reader says where it went.
      this.updateComplete.then(() => requestAnimationFrame(() => this.querySelector<HTMLElement>('main h1')?.focus()));
    });
    window.addEventListener('ub-notice', (e) => {
      const notice = (e as CustomEvent<Notice>).detail;
      // The newest three: more would cover the page.
      this.notices = [...this.notices, notice].slice(-3);
      setTimeout(() => (this.notices = this.notices.filter((n) => n !== notice)), notice.kind === 'error' ? 12_000 : 6_000);
    });
    this.resume();
  }

  private async resume() {
    const saved = await loadSession();
    if (saved) await state.resume(saved);
    this.ready = true;
  }

  private applyTheme(choice: ThemeChoice) {
    if (choice === 'auto') document.documentElement.removeAttribute('data-theme');
    else document.documentElement.dataset.theme = choice;
    localStorage.setItem(THEME_KEY, choice);
  }

  override render() {
    if (!this.ready) return html`<p class="loading splash" role="status">Loading…</p>`;
    return html`${state.session ? this.shell() : this.signIn()}
      <div class="notices" role="status" aria-live="polite">
        ${this.notices.map((n) => html`<div class="notice notice-${n.kind}" role=${n.kind === 'error' ? 'alert' : nothing}>${n.message}</div>`)}
      </div>`;
  }

  private signIn(): TemplateResult {
    const operator = this.signInKind === 'operator';
    const submit = async (e: SubmitEvent) => {
      e.preventDefault();
      const form = e.target as HTMLFormElement;
      const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value.trim();
      this.busy = true;
      this.signInError = '';
      try {
        if (operator) await state.signInAsOperator(value('token'));
        else await state.signInWithKey(value('service'), value('key'));
        if (!location.hash) go(operator ? 'services' : 'overview');
      } catch (error) {
        this.signInError = errorText(error);
      } finally {
        this.busy = false;
      }
    };
    return html`<main class="sign-in" id="main">
      <div class="sign-in-card">
        <div class="brand brand-large" aria-hidden="true">${logo()}</div>
        <h1>Sign in to the badges admin</h1>
        <p class="muted">Manage badges, awards, rules and webhooks of your community.</p>
        <form @submit=${submit} class="stack">
          <fieldset class="segmented">
            <legend>Sign in with</legend>
            ${(['service', 'operator'] as const).map(
              (kind) => html`<label>
                <input
                  type="radio"
                  name="kind"
                  value=${kind}
                  .checked=${this.signInKind === kind}
                  @change=${() => {
                    this.signInKind = kind;
                    this.signInError = '';
                    this.requestUpdate();
                  }}
                />
                <span>${kind === 'service' ? 'A service key' : 'The operator token'}</span>
              </label>`,
            )}
          </fieldset>
          ${operator
            ? fieldBlock(
                's-token',
                'Operator token',
                html`<input id="s-token" aria-describedby="s-token-hint" name="token" type="password" required autocomplete="off" spellcheck="false" />`,
                html`The token <code>user-badges serve</code> printed, or ADMIN_TOKEN. It lets you manage every service.`,
              )
            : html`${fieldBlock('s-service', 'Service', html`<input id="s-service" name="service" required autocomplete="username" spellcheck="false" pattern="[A-Za-z0-9][A-Za-z0-9_\\-]{0,63}" placeholder="e.g. community" />`)}
              ${fieldBlock(
                's-key',
                'Key',
                html`<input id="s-key" aria-describedby="s-key-hint" name="key" type="password" required autocomplete="current-password" spellcheck="false" />`,
                html`The service's key, or a scoped key (<code>key_…</code>): you will see what it may do.`,
              )}`}
          ${this.signInError ? html`<div class="notice notice-error" role="alert">${this.signInError}</div>` : nothing}
          <button class="btn btn-primary btn-block" ?disabled=${this.busy}>${this.busy ? 'Signing in…' : 'Sign in'}</button>
        </form>
        <p class="fine-print">Your key stays in this tab: kept in memory, and encrypted when saved for a reload. Closing the tab or signing out forgets it.</p>
      </div>
    </main>`;
  }

  private shell(): TemplateResult {
    const session = state.session!;
    const serviceOpen = Boolean(session.service);
    const items = serviceOpen ? NAV.filter(allowed) : [];
    const page = this.route.page || (serviceOpen ? 'overview' : 'services');
    return html`<a class="skip-link" href="#main" @click=${(e: Event) => (e.preventDefault(), this.querySelector<HTMLElement>('main h1')?.focus())}>Skip to content</a>
      <header class="topbar">
        <button class="btn btn-icon menu-button" aria-expanded=${String(this.menuOpen)} aria-controls="nav" @click=${() => (this.menuOpen = !this.menuOpen)}>
          <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 6h16M4 12h16M4 18h16" /></svg><span class="visually-hidden">Menu</span>
        </button>
        <a class="brand" aria-label="Badges admin" href=${serviceOpen ? href('overview') : href('services')}>${logo()}<span>Badges admin</span></a>
        ${serviceOpen ? html`<span class="service-name" title="The service you manage"><span class="visually-hidden">Service </span>${session.service}</span>` : nothing}
        <span class="spacer"></span>
        <span class="who">${this.who()}</span>
        <label class="theme-choice"
          ><span class="visually-hidden">Colour theme</span>
          <select @change=${(e: Event) => this.applyTheme((e.target as HTMLSelectElement).value as ThemeChoice)}>
            ${(['auto', 'light', 'dark'] as const).map((t) => html`<option value=${t} ?selected=${(localStorage.getItem(THEME_KEY) ?? 'auto') === t}>${t === 'auto' ? 'System theme' : t === 'light' ? 'Light' : 'Dark'}</option>`)}
          </select></label
        >
        <button class="btn btn-small" @click=${() => state.signOut().then(() => history.replaceState(null, '', location.pathname))}>Sign out</button>
      </header>
      <div class="layout">
        <nav id="nav" aria-label="Pages" class=${this.menuOpen ? 'open' : ''}>
          ${state.operator
            ? html`<ul>
                <li><a href=${href('services')} aria-current=${page === 'services' ? 'page' : nothing}>${icon('M4 5h16v5H4zM4 14h16v5H4z')}All services</a></li>
                ${serviceOpen ? nothing : html`<li><a href=${href('transfer')} aria-current=${page === 'transfer' ? 'page' : nothing}>${icon('M12 3v12m0 0l-4-4m4 4l4-4M4 21h16')}Export and import</a></li>`}
              </ul>`
            : nothing}
          ${serviceOpen
            ? html`${state.operator ? html`<h2 class="nav-heading">${session.service}</h2>` : nothing}
                <ul>
                  ${items.map((item) => html`<li><a href=${href(item.page)} aria-current=${page === item.page ? 'page' : nothing}>${icon(item.icon)}${item.label}</a></li>`)}
                </ul>`
            : nothing}
        </nav>
        <main id="main">${this.page(page)}</main>
      </div>`;
  }

  private who(): TemplateResult {
    const access = state.access;
    if (state.operator) return html`Operator`;
    if (access?.kind === 'key') return html`Key <strong>${access.label}</strong>`;
    return html`Service key`;
  }

  private page(page: string): TemplateResult {
    const args = this.route.args;
    if (page === 'services' && state.operator) return html`<ub-services-page></ub-services-page>`;
    if (page === 'transfer' && state.operator && !state.session?.service) return html`<ub-transfer-page></ub-transfer-page>`;
    if (!state.session?.service) return html`<ub-services-page></ub-services-page>`;
    const item = NAV.find((n) => n.page === page);
    if (!item) return notFound();
    if (!allowed(item)) return html`<div class="page-header"><h1 tabindex="-1">Not available</h1><p class="lead">The key you signed in with may not use this page.</p></div>`;
    switch (page) {
      case 'overview':
        return html`<ub-overview-page></ub-overview-page>`;
      case 'badges':
        return html`<ub-badges-page .args=${args}></ub-badges-page>`;
      case 'awards':
        return html`<ub-awards-page></ub-awards-page>`;
      case 'members':
        return html`<ub-members-page .args=${args}></ub-members-page>`;
      case 'rules':
        return html`<ub-rules-page .args=${args}></ub-rules-page>`;
      case 'invitations':
        return html`<ub-invitations-page></ub-invitations-page>`;
      case 'keys':
        return html`<ub-keys-page></ub-keys-page>`;
      case 'webhooks':
        return html`<ub-webhooks-page .args=${args}></ub-webhooks-page>`;
      case 'audit':
        return html`<ub-audit-page .args=${args}></ub-audit-page>`;
      case 'settings':
        return html`<ub-settings-page></ub-settings-page>`;
    }
    return notFound();
  }
}

const notFound = () => html`<div class="page-header"><h1 tabindex="-1">Page not found</h1><p class="lead"><a href=${href('overview')}>Go to the overview</a></p></div>`;

function icon(path: string): TemplateResult {
  return html`<svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d=${path} /></svg>`;
}

function logo(): TemplateResult {
  return html`<svg class="logo" viewBox="0 0 32 32" aria-hidden="true"
    ><circle cx="16" cy="13" r="9" class="logo-disc" /><path d="M10 20l-3 9 5-2 3 4 1-8M22 20l3 9-5-2-3 4-1-8" class="logo-ribbon" /><path
      d="M16 8.5l1.5 3 3.3.4-2.4 2.3.6 3.3-3-1.6-3 1.6.6-3.3-2.4-2.3 3.3-.4z"
      class="logo-star"
  /></svg>`;
}
