import { html, nothing } from 'lit';
import type { Badge } from '../../types/api.ts';
import type { Members } from '../../types/console-schema.ts';
import { href } from '../router.ts';
import { state } from '../state.ts';
import { errorText, field, fieldBlock, formatNumber, notify, Page, pageHeader } from '../ui.ts';
import { allBadges } from './badges.ts';

/** Addresses per request of the bulk award API (badges.mozilla.org's limit). */
const BATCH = 1000;

/** What each answer of the bulk award means, for people. */
const OUTCOME: Record<string, { text: string; ok: boolean }> = {
  AWARDED: { text: 'Awarded', ok: true },
  INVITED: { text: 'Invited: awarded when someone signs up with this address', ok: true },
  ALREADYAWARDED: { text: 'Holds it already', ok: false },
  INVALID: { text: 'Not an email address', ok: false },
  DISABLED: { text: 'The badge is disabled', ok: false },
  NOT_STARTED: { text: 'The badge cannot be earned yet', ok: false },
  ENDED: { text: 'The badge can no longer be earned', ok: false },
  MAX_REACHED: { text: 'Holds it as often as allowed', ok: false },
  FREQUENCY_CAP: { text: 'Reached the cap for this period', ok: false },
};

const SKIPPED: Record<string, string> = {
  disabled: 'the badge is disabled',
  not_started: 'the badge cannot be earned yet',
  ended: 'the badge can no longer be earned',
  unique: 'they hold it already, and it is awarded once',
  max_reached: 'they hold it as often as allowed',
  frequency_cap: 'they reached the cap for this period',
};

/** Addresses in pasted text: one a line, or separated by commas, semicolons or spaces; `Name <a@b>` too. */
export function addressesIn(text: string): string[] {
  const found = text
    .split(/[\s,;]+/)
    .map((part) => part.replace(/^<|>$/g, '').replace(/^mailto:/i, '').trim())
    .filter((part) => part.includes('@'));
  return [...new Set(found)];
}

/**
 * Awarding: find a member and award or revoke a badge, or award one badge to a list of pasted
 * addresses at once (each address answered on its own: awarded, invited, or why not).
 */
export class AwardsPage extends Page {
  static override properties = { badges: { state: true }, found: { state: true }, results: { state: true }, progress: { state: true }, busy: { state: true }, pasted: { state: true }, member: { state: true } };
  declare badges: Badge[];
  declare found: Members['members'] | null;
  declare results: { address: string; outcome: string }[] | null;
  declare progress: { done: number; total: number } | null;
  declare busy: boolean;
  declare pasted: string;
  declare member: string;
  private searchTimer?: ReturnType<typeof setTimeout>;

  constructor() {
    super();
    this.badges = [];
    this.found = null;
    this.results = null;
    this.progress = null;
    this.busy = false;
    this.pasted = '';
    this.member = '';
  }

  override connectedCallback() {
    super.connectedCallback();
    allBadges().then(
      (badges) => (this.badges = badges),
      (error) => notify(errorText(error), 'error'),
    );
  }

  /** The badges the key may award (a scoped key may be limited to some). */
  private get awardable(): Badge[] {
    const scope = state.badgeScope;
    return this.badges.filter((b) => !scope || scope.includes(b.name));
  }

  private badgeSelect(id: string, name = 'badge') {
    return html`<select id=${id} name=${name} required>
      <option value="">Choose a badge…</option>
      ${this.awardable.map((b) => html`<option value=${b.name}>${b.title ?? b.name}${b.title ? ` (${b.name})` : ''}</option>`)}
    </select>`;
  }

  override render() {
    const canAward = state.can('award');
    const canRevoke = state.can('revoke');
    const addresses = addressesIn(this.pasted);
    return html`${pageHeader('Awards', 'Give a badge to a member, take one back, or award a badge to a list of email addresses.')}
      <section class="box" aria-labelledby="one-title">
        <div class="box-header"><div><h2 id="one-title">Award or revoke</h2><p>Start typing a member's name to find them.</p></div></div>
        <form class="box-body form-grid" @submit=${(e: SubmitEvent) => this.awardOne(e)}>
          ${fieldBlock(
            'a-user',
            'Member',
            html`<input id="a-user" name="user" required list="a-user-list" autocomplete="off" spellcheck="false" aria-describedby="a-user-hint" .value=${this.member} @input=${(e: Event) => this.search((e.target as HTMLInputElement).value)} />
              <datalist id="a-user-list">${(this.found ?? []).map((m) => html`<option value=${m.name}>${m.badges} badges</option>`)}</datalist>`,
            state.can('read_private') ? 'A user name, or an email address of a member.' : 'A user name: a new one becomes a member with this badge.',
          )}
          ${fieldBlock('a-badge', 'Badge', this.badgeSelect('a-badge'))}
          <div class="form-actions wide">
            ${canAward ? html`<button class="btn btn-primary" name="action" value="award" ?disabled=${this.busy}>Award</button>` : nothing}
            ${canRevoke ? html`<button class="btn btn-danger" name="action" value="revoke" ?disabled=${this.busy}>Revoke</button>` : nothing}
          </div>
        </form>
        ${this.found && this.found.length
          ? html`<ul class="results" aria-label="Members found">
              ${this.found.map(
                (m) =>
                  html`<li>
                    <span><a href=${href('members', m.name)}>${m.name}</a>${m.email ? html` <span class="muted">${m.email}</span>` : nothing}</span>
                    <span class="muted">${formatNumber(m.badges)} badges</span>
                  </li>`,
              )}
            </ul>`
          : nothing}
      </section>

      ${canAward
        ? html`<section class="box" aria-labelledby="bulk-title">
            <div class="box-header">
              <div><h2 id="bulk-title">Award by email</h2><p>Paste addresses from a spreadsheet or an email: one a line, or separated by commas. Those nobody uses yet get an invitation.</p></div>
            </div>
            <form class="box-body stack" @submit=${(e: SubmitEvent) => this.awardMany(e)}>
              ${fieldBlock('b-badge', 'Badge', this.badgeSelect('b-badge'))}
              ${fieldBlock(
                'b-emails',
                'Email addresses',
                html`<textarea id="b-emails" name="emails" rows="6" class="mono" spellcheck="false" aria-describedby="b-emails-hint" placeholder=${'ann@example.org\nbo@example.org, cy@example.org'} @input=${(e: Event) => (this.pasted = (e.target as HTMLTextAreaElement).value)}></textarea>`,
                addresses.length ? `${formatNumber(addresses.length)} distinct addresses found.` : 'Anything that is not an address is left out.',
              )}
              ${this.progress
                ? html`<div class="progress-line">
                    <progress max=${this.progress.total} value=${this.progress.done} aria-label="Addresses sent"></progress><span class="muted">${formatNumber(this.progress.done)} of ${formatNumber(this.progress.total)}</span>
                  </div>`
                : nothing}
              <div class="form-actions">
                <button class="btn btn-primary" ?disabled=${this.busy || addresses.length === 0}>${addresses.length ? `Award to ${formatNumber(addresses.length)} addresses` : 'Award'}</button>
              </div>
            </form>
            ${this.results ? this.resultList(this.results) : nothing}
          </section>`
        : nothing}`;
  }

  private resultList(results: { address: string; outcome: string }[]) {
    const ok = results.filter((r) => OUTCOME[r.outcome]?.ok).length;
    return html`<div class="bulk-results" aria-live="polite">
      <div class="box-row"><strong>${formatNumber(ok)} of ${formatNumber(results.length)} addresses awarded or invited.</strong></div>
      <div class="table-scroll">
        <table class="data" aria-label="Result per address">
          <thead>
            <tr>
              <th scope="col">Address</th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            ${results.map(
              (r) => html`<tr>
                <td>${r.address}</td>
                <td><span class="label ${OUTCOME[r.outcome]?.ok ? 'label-success' : 'label-danger'}">${r.outcome}</span> ${OUTCOME[r.outcome]?.text ?? ''}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
    </div>`;
  }

  private search(q: string) {
    this.member = q;
    clearTimeout(this.searchTimer);
    if (!q.trim()) {
      this.found = null;
      return;
    }
    this.searchTimer = setTimeout(async () => {
      try {
        this.found = (await state.api.get<Members>('members.json', { q: q.trim(), limit: 8 })).members;
      } catch {
        this.found = null;
      }
    }, 200);
  }

  private async awardOne(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const action = (e.submitter as HTMLButtonElement | null)?.value ?? 'award';
    let user = field(form, 'user');
    const badge = field(form, 'badge');
    if (!user || !badge) return notify('Choose a member and a badge.', 'error');
    this.busy = true;
    try {
      // An address stands for its member.
      if (user.includes('@')) {
        const [member] = (await state.api.get<Members>('members.json', { q: user, limit: 1 })).members;
        if (!member?.email) throw new Error(`No member has the address ${user}. Use "Award by email" to invite them.`);
        user = member.name;
      }
      const path = `users/${encodeURIComponent(user)}.json`;
      if (action === 'revoke') {
        const answer = await state.api.delete<{ absent?: string[] }>(path, { badges: [badge] });
        notify(answer.absent?.includes(badge) ? `${user} did not hold ${badge}` : `Took ${badge} from ${user}`, answer.absent?.includes(badge) ? 'info' : 'success');
      } else {
        const answer = await state.api.put<{ skipped?: { badge: string; reason: string }[] }>(path, { badges: [badge] });
        const skipped = answer.skipped?.find((s) => s.badge === badge);
        notify(skipped ? `Not awarded: ${SKIPPED[skipped.reason] ?? skipped.reason}` : `Awarded ${badge} to ${user}`, skipped ? 'error' : 'success');
      }
    } catch (error) {
      notify(errorText(error), 'error');
    } finally {
      this.busy = false;
    }
  }

  private async awardMany(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const badge = field(form, 'badge');
    const addresses = addressesIn(this.pasted);
    if (!badge) return notify('Choose the badge to award.', 'error');
    this.busy = true;
    this.results = [];
    this.progress = { done: 0, total: addresses.length };
    const results: { address: string; outcome: string }[] = [];
    try {
      for (let i = 0; i < addresses.length; i += BATCH) {
        const batch = addresses.slice(i, i + BATCH);
        const answer = await state.api.post<{ successes: Record<string, string>; errors: Record<string, string> }>(`badges/${encodeURIComponent(badge)}/awards.json`, { emails: batch });
        for (const address of batch) {
          const key = Object.keys(answer.successes).find((k) => k.toLowerCase() === address.toLowerCase()) ?? Object.keys(answer.errors).find((k) => k.toLowerCase() === address.toLowerCase());
          results.push({ address, outcome: key ? (answer.successes[key] ?? answer.errors[key]!) : 'INVALID' });
        }
        this.progress = { done: Math.min(addresses.length, i + BATCH), total: addresses.length };
        this.results = [...results];
      }
      const ok = results.filter((r) => OUTCOME[r.outcome]?.ok).length;
      notify(`${badge}: ${ok} of ${results.length} addresses awarded or invited`, ok ? 'success' : 'error');
    } catch (error) {
      notify(errorText(error), 'error');
    } finally {
      this.busy = false;
    }
  }
}

customElements.define('ub-awards-page', AwardsPage);
