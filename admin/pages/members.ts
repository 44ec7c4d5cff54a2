import { html, nothing, type TemplateResult } from 'lit';
import type { AuditEntry } from '../../types/audit-schema.ts';
import type { Members } from '../../types/console-schema.ts';
import { go, href } from '../router.ts';
import { state } from '../state.ts';
import { ago, attempt, confirmDialog, download, errorBlock, errorText, fieldBlock, formatDate, formatNumber, loadingBlock, notify, Page, pageHeader } from '../ui.ts';
import { auditText } from './audit.ts';

interface UserBadge {
  name: string;
  count: number;
  latest: string | null;
  state?: string;
  progress?: { current: number; goal: number };
}
interface UserAnswer {
  user: { name: string; latest: string | null; badges: UserBadge[] };
  badges: Record<string, { title?: string; type?: string; goal?: number }>;
}
interface PersonalData {
  account: { createdAt: string; awards: unknown[] } | null;
  emails: string[];
  records: Record<string, unknown[]>;
}

/** How the kinds of records read, for the confirmation of an erasure. */
const KIND_TEXT: Record<string, string> = {
  event: 'events',
  'event-rejected': 'refused events',
  activity: 'activity entries',
  'rule-state': 'rule counts',
  'rule-expiry': 'pending rule expiries',
  email: 'email addresses',
  invitation: 'pending invitations',
  'invitation-claimed': 'claimed invitations',
  'claim-redemption': 'claim code redemptions',
  'webhook-message': 'webhook messages',
  delivery: 'webhook deliveries',
  'delivery-attempt': 'delivery attempts',
  audit: 'audit entries (kept, with a pseudonym instead of the name)',
};

/**
 * Members: find one by name or address, or page through all; a member's page shows their badges,
 * progress, addresses, activity and the audit of what was done to them, and exports, renames or
 * erases them (saying first exactly what will go).
 */
export class MembersPage extends Page {
  static override properties = { args: { attribute: false }, list: { state: true }, page: { state: true }, pages: { state: true }, found: { state: true }, error: { state: true } };
  declare args: string[];
  declare list: { name: string; latest: string | null; badges: UserBadge[] }[] | null;
  declare page: number;
  declare pages: number;
  declare found: Members['members'] | null;
  declare error: unknown;

  constructor() {
    super();
    this.args = [];
    this.list = null;
    this.page = 1;
    this.pages = 1;
    this.found = null;
    this.error = null;
  }

  override connectedCallback() {
    super.connectedCallback();
    if (!this.args[0]) this.loadPage(1);
  }

  override render() {
    return this.args[0] ? html`<ub-member-view .name=${this.args[0]}></ub-member-view>` : this.directory();
  }

  private async loadPage(page: number) {
    try {
      const answer = await state.api.get<{ users: { name: string; latest: string | null; badges: UserBadge[] }[]; paging: { pages: number } }>('users.json', { page, page_size: 50, sort: 'name' });
      this.list = answer.users;
      this.page = page;
      this.pages = answer.paging.pages;
      this.error = null;
    } catch (error) {
      this.error = error;
    }
  }

  private directory() {
    const search = async (e: SubmitEvent) => {
      e.preventDefault();
      const q = ((e.target as HTMLFormElement).elements.namedItem('q') as HTMLInputElement).value.trim();
      if (!q) return (this.found = null);
      const answer = await attempt(() => state.api.get<Members>('members.json', { q, limit: 50 }));
      if (answer) this.found = answer.members;
    };
    const rows = this.found ?? this.list;
    return html`${pageHeader('Members', 'Everyone who holds a badge. Open a member to see what they earned and what was done to them.')}
      <form class="toolbar" role="search" @submit=${search}>
        ${fieldBlock('m-q', 'Find a member', html`<input id="m-q" name="q" type="search" autocomplete="off" spellcheck="false" placeholder=${state.can('read_private') ? 'Name, or email address' : 'Name'} />`, undefined, 'grow')}
        <button class="btn">Search</button>
        ${this.found ? html`<button type="button" class="btn btn-quiet" @click=${() => (this.found = null)}>Show everyone</button>` : nothing}
      </form>
      ${this.error ? errorBlock(this.error, () => this.loadPage(this.page)) : nothing}
      ${rows === null
        ? loadingBlock('Loading the members')
        : html`<div class="box">
            ${rows.length === 0
              ? html`<p class="empty">${this.found ? 'Nobody matches.' : 'No members yet: they appear when they are awarded a badge.'}</p>`
              : html`<div class="table-scroll">
                  <table class="data">
                    <thead>
                      <tr>
                        <th scope="col">Member</th>
                        <th scope="col" class="num">Badges</th>
                        <th scope="col" class="hide-narrow">${this.found ? 'Member since' : 'Last award'}</th>
                      </tr>
                    </thead>
                    <tbody>
                      ${rows.map((row) =>
                        'createdAt' in row
                          ? html`<tr>
                              <th scope="row"><a href=${href('members', row.name)}>${row.name}</a>${row.email ? html` <span class="muted">${row.email}</span>` : nothing}</th>
                              <td class="num">${formatNumber(row.badges)}</td>
                              <td class="hide-narrow">${formatDate(row.createdAt)}</td>
                            </tr>`
                          : html`<tr>
                              <th scope="row"><a href=${href('members', row.name)}>${row.name}</a></th>
                              <td class="num">${formatNumber(row.badges.length)}</td>
                              <td class="hide-narrow">${row.latest ? ago(row.latest) : html`<span class="muted">—</span>`}</td>
                            </tr>`,
                      )}
                    </tbody>
                  </table>
                </div>
                ${!this.found && this.pages > 1
                  ? html`<nav class="pager" aria-label="Pages of members">
                      <button class="btn btn-small" ?disabled=${this.page <= 1} @click=${() => this.loadPage(this.page - 1)}>Previous</button>
                      <span class="muted">Page ${this.page} of ${this.pages}</span>
                      <button class="btn btn-small" ?disabled=${this.page >= this.pages} @click=${() => this.loadPage(this.page + 1)}>Next</button>
                    </nav>`
                  : nothing}`}
          </div>`}`;
  }
}

/** One member's page. */
export class MemberView extends Page {
  static override properties = { name: {}, user: { state: true }, emails: { state: true }, audit: { state: true }, error: { state: true }, missing: { state: true } };
  declare name: string;
  declare user: UserAnswer | null;
  declare emails: string[] | null;
  declare audit: AuditEntry[] | null;
  declare error: unknown;
  declare missing: boolean;

  constructor() {
    super();
    this.name = '';
    this.user = null;
    this.emails = null;
    this.audit = null;
    this.error = null;
    this.missing = false;
  }

  override connectedCallback() {
    super.connectedCallback();
    this.load();
  }

  private path(rest = '.json') {
    return `users/${encodeURIComponent(this.name)}${rest}`;
  }

  private async load() {
    this.error = null;
    try {
      // users.json names the badges' titles beside the user (users/{name}.json is the user alone).
      const answer = await state.api.get<{ users: UserAnswer['user'][]; badges: UserAnswer['badges'] }>('users.json', { names: this.name, states: 'all' });
      const user = answer.users[0];
      this.user = user ? { user, badges: answer.badges } : null;
      this.missing = !user;
    } catch (error) {
      this.error = error;
    }
    if (state.can('read_private')) state.api.get<{ emails: string[] }>(this.path('/emails.json')).then((r) => (this.emails = r.emails), () => (this.emails = []));
    if (state.can('service')) state.api.get<{ audit: AuditEntry[] }>('audit.json', { user: this.name, page_size: 50 }).then((r) => (this.audit = r.audit), () => (this.audit = []));
  }

  override render() {
    const crumb = html`<p class="breadcrumb"><a href=${href('members')}>Members</a> / ${this.name}</p>`;
    if (this.error) return html`${crumb}${errorBlock(this.error, () => this.load())}`;
    if (this.missing)
      return html`${crumb}${pageHeader(this.name, 'This service holds no badge of anyone by this name.')}${state.can('service') ? this.dataBox(false) : nothing}`;
    if (!this.user) return html`${crumb}${loadingBlock('Loading the member')}`;
    const { user, badges } = this.user;
    const earned = user.badges.filter((b) => b.count > 0);
    const underway = user.badges.filter((b) => b.count === 0 && b.progress && b.progress.current > 0);
    return html`${crumb}
      <header class="page-header">
        <div class="member-head">
          <span class="avatar" aria-hidden="true">${this.name.slice(0, 1).toUpperCase()}</span>
          <div>
            <h1 tabindex="-1">${this.name}</h1>
            <p class="lead">${formatNumber(earned.length)} badges${user.latest ? html` · last award ${ago(user.latest)}` : nothing}</p>
          </div>
        </div>
        ${state.can('award') ? html`<div class="page-actions"><a class="btn" href=${href('awards')}>Award a badge</a></div>` : nothing}
      </header>
      <div class="split">
        <div>
          <section class="box" aria-labelledby="mb-badges">
            <div class="box-header"><h2 id="mb-badges">Badges</h2></div>
            ${earned.length === 0
              ? html`<p class="empty">No badges held.</p>`
              : html`<div class="table-scroll">
                  <table class="data">
                    <thead>
                      <tr>
                        <th scope="col">Badge</th>
                        <th scope="col" class="num">Times</th>
                        <th scope="col">Last</th>
                        ${state.can('revoke') ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : nothing}
                      </tr>
                    </thead>
                    <tbody>
                      ${earned.map(
                        (b) => html`<tr>
                          <th scope="row">${badges[b.name]?.title ?? b.name}</th>
                          <td class="num">${formatNumber(b.count)}</td>
                          <td>${b.latest ? ago(b.latest) : '—'}</td>
                          ${state.can('revoke') ? html`<td class="actions-cell"><button class="btn btn-small btn-danger" aria-label=${`Revoke ${b.name}`} @click=${() => this.revoke(b.name)}>Revoke</button></td>` : nothing}
                        </tr>`,
                      )}
                    </tbody>
                  </table>
                </div>`}
          </section>
          <section class="box" aria-labelledby="mb-progress">
            <div class="box-header"><h2 id="mb-progress">On the way</h2></div>
            ${underway.length === 0
              ? html`<p class="empty">No progress toward other badges.</p>`
              : html`<ul class="results">
                  ${underway.map(
                    (b) => html`<li>
                      <span>${badges[b.name]?.title ?? b.name}</span>
                      <span class="progress-line"
                        ><progress max=${b.progress!.goal} value=${b.progress!.current} aria-label=${`${b.name}: ${b.progress!.current} of ${b.progress!.goal}`}></progress>
                        <span class="muted">${formatNumber(b.progress!.current)} / ${formatNumber(b.progress!.goal)}</span></span
                      >
                    </li>`,
                  )}
                </ul>`}
          </section>
          ${state.can('read_private') ? this.emailBox() : nothing}
        </div>
        <div>
          <ub-activity-feed .user=${this.name} .limit=${10}></ub-activity-feed>
          ${state.can('service') ? this.auditBox() : nothing} ${state.can('service') ? this.dataBox(true) : nothing}
        </div>
      </div>`;
  }

  private emailBox() {
    const save = async (e: SubmitEvent) => {
      e.preventDefault();
      const text = ((e.target as HTMLFormElement).elements.namedItem('emails') as HTMLTextAreaElement).value;
      const emails = text.split(/[\s,;]+/).filter(Boolean);
      const answer = await attempt(() => state.api.put<{ emails: string[] }>(this.path('/emails.json'), { emails }), 'Addresses saved');
      if (answer) this.emails = answer.emails;
    };
    return html`<section class="box" aria-labelledby="mb-emails">
      <div class="box-header"><div><h2 id="mb-emails">Email addresses</h2><p>Private. Awards made to an address go to the member who has it.</p></div></div>
      ${this.emails === null
        ? html`<p class="box-body muted">Loading…</p>`
        : state.can('service')
          ? html`<form class="box-body stack" @submit=${save}>
              ${fieldBlock('mb-email-list', 'Addresses, one a line', html`<textarea id="mb-email-list" name="emails" rows="3" class="mono" spellcheck="false" .value=${this.emails.join('\n')}></textarea>`)}
              <div class="form-actions"><button class="btn">Save addresses</button></div>
            </form>`
          : html`<ul class="results">
              ${this.emails.length ? this.emails.map((a) => html`<li>${a}</li>`) : html`<li class="muted">None</li>`}
            </ul>`}
    </section>`;
  }

  private auditBox() {
    return html`<section class="box" aria-labelledby="mb-audit">
      <div class="box-header"><div><h2 id="mb-audit">What was done to ${this.name}</h2><p>From the audit trail: who awarded, revoked or changed what.</p></div></div>
      ${this.audit === null
        ? html`<p class="box-body muted">Loading…</p>`
        : this.audit.length === 0
          ? html`<p class="empty">Nothing recorded.</p>`
          : html`<ul class="results">
              ${this.audit.map((entry) => html`<li><span>${auditText(entry)}</span><span class="muted">${ago(entry.at)}</span></li>`)}
            </ul>
            <div class="box-row"><a href=${href('audit', 'user', this.name)}>The full audit trail</a></div>`}
    </section>`;
  }

  private dataBox(exists: boolean): TemplateResult {
    return html`<section class="box box-danger" aria-labelledby="mb-data">
      <div class="box-header"><div><h2 id="mb-data">Personal data</h2><p>A copy of everything held of ${this.name}, or its erasure (GDPR articles 15 and 17).</p></div></div>
      <div class="box-row"><div class="spacer"><strong>Export</strong><br /><span class="muted">One JSON file: badges, progress, addresses, events and every other record.</span></div><button class="btn" @click=${() => this.exportData()}>Export data</button></div>
      ${exists
        ? html`<form class="box-row" @submit=${(e: SubmitEvent) => this.rename(e)}>
            <div class="spacer">${fieldBlock('mb-rename', 'Rename', html`<input id="mb-rename" name="to" required autocomplete="off" spellcheck="false" placeholder="New name" />`)}</div>
            <button class="btn">Rename</button>
          </form>`
        : nothing}
      <div class="box-row"><div class="spacer"><strong>Erase</strong><br /><span class="muted">Every record of ${this.name} goes, in one step. This cannot be undone.</span></div><button class="btn btn-danger" @click=${() => this.erase()}>Erase ${this.name}</button></div>
    </section>`;
  }

  private async revoke(badge: string) {
    const ok = await confirmDialog({ title: `Revoke ${badge}?`, body: `${this.name} loses ${badge} (every time they were awarded it).`, confirm: 'Revoke', danger: true });
    if (!ok) return;
    if ((await attempt(() => state.api.delete(this.path(), { badges: [badge] }), `Took ${badge} from ${this.name}`)) !== undefined) this.load();
  }

  private async exportData() {
    const data = await attempt(() => state.api.get<PersonalData>(this.path('/export.json')));
    if (!data) return;
    download(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }), `${state.api.service}-${this.name}.json`);
    notify(`Exported the data of ${this.name}`);
  }

  private async rename(e: SubmitEvent) {
    e.preventDefault();
    const to = ((e.target as HTMLFormElement).elements.namedItem('to') as HTMLInputElement).value.trim();
    if (!to) return;
    const ok = await confirmDialog({ title: `Rename ${this.name} to ${to}?`, body: 'Their badges, addresses, events and history move to the new name. Sites must use the new name from now on.', confirm: 'Rename' });
    if (!ok) return;
    if (await attempt(() => state.api.post(this.path('/rename.json'), { to }), `Renamed ${this.name} to ${to}`)) go('members', to);
  }

  private async erase() {
    let data: PersonalData;
    try {
      data = await state.api.get<PersonalData>(this.path('/export.json'));
    } catch (error) {
      return notify(errorText(error), 'error');
    }
    const items: TemplateResult[] = [];
    if (data.account) items.push(html`<li>The member and their ${formatNumber(data.account.awards.length)} badges, with their progress</li>`);
    for (const [kind, records] of Object.entries(data.records)) if (records.length && kind !== 'email') items.push(html`<li>${formatNumber(records.length)} ${KIND_TEXT[kind] ?? kind}</li>`);
    if (data.emails.length) items.push(html`<li>Their addresses: ${data.emails.join(', ')}</li>`);
    const ok = await confirmDialog({
      title: `Erase ${this.name}?`,
      body: html`<p>This goes, now and for good:</p>
        <ul>
          ${items}
        </ul>
        <p class="muted">Badge counts are updated. Consider exporting their data first.</p>`,
      confirm: 'Erase this member',
      danger: true,
      typeToConfirm: this.name,
    });
    if (!ok) return;
    const erased = await attempt(() => state.api.post<{ pseudonym: string }>(this.path('/erase.json')), (r) => `Erased ${this.name}; the audit trail calls them ${r.pseudonym}`);
    if (erased) go('members');
  }
}

customElements.define('ub-members-page', MembersPage);
customElements.define('ub-member-view', MemberView);
