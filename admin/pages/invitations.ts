import { html, nothing } from 'lit';
import type { Badge } from '../../types/api.ts';
import type { ClaimCode, Invitation } from '../../types/access-schema.ts';
import { href } from '../router.ts';
import { state } from '../state.ts';
import { ago, attempt, confirmDialog, download, errorBlock, field, fieldBlock, formatDate, formatNumber, isoFromLocal, loadingBlock, optional, Page, pageHeader } from '../ui.ts';
import { allBadges } from './badges.ts';

/**
 * Deferred awards: invitations (a badge awarded to an address nobody has yet, claimed when a member
 * gets that address) and claim codes (printed on a card or sent in a mail, redeemed for a badge).
 */
export class InvitationsPage extends Page {
  static override properties = {
    invitations: { state: true },
    invitationState: { state: true },
    invitationPage: { state: true },
    invitationPages: { state: true },
    badges: { state: true },
    codeBadge: { state: true },
    codes: { state: true },
    made: { state: true },
    error: { state: true },
  };
  declare invitations: Invitation[] | null;
  declare invitationState: 'pending' | 'claimed';
  declare invitationPage: number;
  declare invitationPages: number;
  declare badges: Badge[];
  declare codeBadge: string;
  declare codes: ClaimCode[] | null;
  declare made: ClaimCode[] | null;
  declare error: unknown;

  constructor() {
    super();
    this.invitations = null;
    this.invitationState = 'pending';
    this.invitationPage = 1;
    this.invitationPages = 1;
    this.badges = [];
    this.codeBadge = '';
    this.codes = null;
    this.made = null;
    this.error = null;
  }

  override connectedCallback() {
    super.connectedCallback();
    if (state.can('read_private')) this.loadInvitations(1);
    allBadges().then((badges) => {
      const scope = state.badgeScope;
      this.badges = badges.filter((b) => !scope || scope.includes(b.name));
      if (!this.codeBadge && this.badges[0]) this.pickBadge(this.badges[0].name);
    });
  }

  private async loadInvitations(page: number) {
    try {
      const answer = await state.api.get<{ invitations: Invitation[]; paging: { pages: number } }>('invitations.json', { state: this.invitationState, page, page_size: 50 });
      this.invitations = answer.invitations;
      this.invitationPage = page;
      this.invitationPages = answer.paging.pages;
      this.error = null;
    } catch (error) {
      this.error = error;
    }
  }

  private async pickBadge(badge: string) {
    this.codeBadge = badge;
    this.codes = null;
    if (!state.can('read_private') || !badge) return;
    const answer = await attempt(() => state.api.get<{ codes: ClaimCode[] }>(`badges/${encodeURIComponent(badge)}/claim-codes.json`, { page_size: 1000 }));
    this.codes = answer?.codes ?? [];
  }

  override render() {
    return html`${pageHeader('Invitations and claim codes', 'Badges that wait for their member: awarded to an email address nobody uses yet, or to whoever redeems a code.')}
      ${state.can('read_private') ? this.invitationBox() : nothing} ${this.codesBox()}`;
  }

  private invitationBox() {
    return html`<section class="box" aria-labelledby="inv-title">
      <div class="box-header">
        <div><h2 id="inv-title">Invitations</h2><p>Made by awards by email. A member who adds the address gets the badge.</p></div>
        <label class="inline-field"
          ><span>Show</span>
          <select
            @change=${(e: Event) => {
              this.invitationState = (e.target as HTMLSelectElement).value as 'pending' | 'claimed';
              this.invitations = null;
              this.loadInvitations(1);
            }}
          >
            <option value="pending" ?selected=${this.invitationState === 'pending'}>Pending</option>
            <option value="claimed" ?selected=${this.invitationState === 'claimed'}>Claimed</option>
          </select></label
        >
      </div>
      ${this.error ? html`<div class="box-body">${errorBlock(this.error, () => this.loadInvitations(this.invitationPage))}</div>` : nothing}
      ${this.invitations === null
        ? html`<div class="box-body">${loadingBlock()}</div>`
        : this.invitations.length === 0
          ? html`<p class="empty">No ${this.invitationState} invitations.${state.can('award') ? html` <a href=${href('awards')}>Award by email</a> to invite.` : nothing}</p>`
          : html`<div class="table-scroll">
              <table class="data">
                <thead>
                  <tr>
                    <th scope="col">Address</th>
                    <th scope="col">Badge</th>
                    <th scope="col">${this.invitationState === 'pending' ? 'Expires' : 'Claimed by'}</th>
                    ${this.invitationState === 'pending' && state.can('revoke') ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : nothing}
                  </tr>
                </thead>
                <tbody>
                  ${this.invitations.map(
                    (i) => html`<tr>
                      <th scope="row">${i.email}<span class="sub">invited ${ago(i.createdAt)}</span></th>
                      <td>${i.badge}</td>
                      <td>${i.state === 'pending' ? (i.expiresAt ? formatDate(i.expiresAt) : 'Never') : html`<a href=${href('members', i.user ?? '')}>${i.user}</a> ${i.claimedAt ? ago(i.claimedAt) : nothing}`}</td>
                      ${this.invitationState === 'pending' && state.can('revoke')
                        ? html`<td class="actions-cell"><button class="btn btn-small btn-danger" aria-label=${`Cancel the invitation of ${i.email}`} @click=${() => this.cancel(i)}>Cancel</button></td>`
                        : nothing}
                    </tr>`,
                  )}
                </tbody>
              </table>
            </div>
            ${this.invitationPages > 1
              ? html`<nav class="pager" aria-label="Pages of invitations">
                  <button class="btn btn-small" ?disabled=${this.invitationPage <= 1} @click=${() => this.loadInvitations(this.invitationPage - 1)}>Previous</button>
                  <span class="muted">Page ${this.invitationPage} of ${this.invitationPages}</span>
                  <button class="btn btn-small" ?disabled=${this.invitationPage >= this.invitationPages} @click=${() => this.loadInvitations(this.invitationPage + 1)}>Next</button>
                </nav>`
              : nothing}`}
    </section>`;
  }

  private codesBox() {
    const make = async (e: SubmitEvent) => {
      e.preventDefault();
      const form = e.target as HTMLFormElement;
      const body = { count: Number(field(form, 'count') || 1), uses: Number(field(form, 'uses') || 1), expiresAt: isoFromLocal(field(form, 'expires')) };
      const answer = await attempt(() => state.api.post<{ codes: ClaimCode[] }>(`badges/${encodeURIComponent(this.codeBadge)}/claim-codes.json`, body), (r) => `Made ${r.codes.length} claim codes`);
      if (!answer) return;
      this.made = answer.codes;
      this.pickBadge(this.codeBadge);
    };
    return html`<section class="box" aria-labelledby="codes-title">
      <div class="box-header">
        <div><h2 id="codes-title">Claim codes</h2><p>Each code gives its badge to whoever redeems it, once or a number of times.</p></div>
        <label class="inline-field"
          ><span>Badge</span>
          <select @change=${(e: Event) => this.pickBadge((e.target as HTMLSelectElement).value)}>
            ${this.badges.map((b) => html`<option value=${b.name} ?selected=${b.name === this.codeBadge}>${b.title ?? b.name}</option>`)}
          </select></label
        >
      </div>
      ${state.can('award')
        ? html`<form class="box-body form-grid form-grid-3" @submit=${make} aria-label="Make claim codes">
            ${fieldBlock('c-count', 'How many codes', html`<input id="c-count" name="count" type="number" min="1" max="1000" step="1" value="10" inputmode="numeric" />`)}
            ${fieldBlock('c-uses', 'Uses of each', html`<input id="c-uses" name="uses" type="number" min="1" step="1" value="1" inputmode="numeric" />`)}
            ${fieldBlock('c-expires', optional('Expires'), html`<input id="c-expires" name="expires" type="datetime-local" />`)}
            <div class="form-actions wide"><button class="btn btn-primary" ?disabled=${!this.codeBadge}>Make codes</button></div>
          </form>`
        : nothing}
      ${this.made
        ? html`<div class="box-row notice-success">
            <span class="spacer"><strong>${formatNumber(this.made.length)} new codes</strong> for ${this.made[0]?.badge}: copy them now, or download them.</span>
            <button class="btn btn-small" @click=${() => download(new Blob([this.made!.map((c) => c.code).join('\n') + '\n'], { type: 'text/plain' }), `${this.codeBadge}-codes.txt`)}>Download</button>
            <button class="btn btn-small" @click=${() => (this.made = null)}>Done</button>
          </div>`
        : nothing}
      ${!state.can('read_private')
        ? nothing
        : this.codes === null
          ? html`<div class="box-body">${loadingBlock()}</div>`
          : this.codes.length === 0
            ? html`<p class="empty">No codes for this badge yet.</p>`
            : html`<div class="table-scroll">
                <table class="data">
                  <thead>
                    <tr>
                      <th scope="col">Code</th>
                      <th scope="col">State</th>
                      <th scope="col" class="num">Redeemed</th>
                      <th scope="col" class="hide-narrow">Expires</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${this.codes.map(
                      (c) => html`<tr>
                        <th scope="row"><code>${c.code}</code></th>
                        <td><span class="label ${c.state === 'active' ? 'label-success' : ''}">${c.state}</span></td>
                        <td class="num">${formatNumber(c.redeemed)} of ${formatNumber(c.uses)}</td>
                        <td class="hide-narrow">${c.expiresAt ? formatDate(c.expiresAt) : 'Never'}</td>
                      </tr>`,
                    )}
                  </tbody>
                </table>
              </div>`}
    </section>`;
  }

  private async cancel(i: Invitation) {
    const ok = await confirmDialog({ title: 'Cancel this invitation?', body: `${i.email} will not get ${i.badge} when they sign up.`, confirm: 'Cancel invitation', danger: true });
    if (!ok) return;
    if ((await attempt(() => state.api.delete(`invitations/${i.id}.json`), 'Invitation cancelled')) !== undefined) this.loadInvitations(this.invitationPage);
  }
}

customElements.define('ub-invitations-page', InvitationsPage);
