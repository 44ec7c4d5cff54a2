import { html, nothing, type TemplateResult } from 'lit';
import type { AuditEntry } from '../../types/audit-schema.ts';
import { go, href } from '../router.ts';
import { state } from '../state.ts';
import { ago, errorBlock, field, fieldBlock, formatDate, loadingBlock, Page, pageHeader } from '../ui.ts';

/** Who acted, for people. */
export function actorText(actor: AuditEntry['actor']): string {
  switch (actor.type) {
    case 'service':
      return 'The service key';
    case 'key':
      return `Key ${actor.id ?? ''}`;
    case 'operator':
      return 'The operator';
    case 'cli':
      return `The command line (${actor.command ?? ''})`;
    case 'integration':
      return `Integration ${actor.id ?? ''}`;
    case 'public':
      return 'Anyone (test service)';
    case 'system':
      return `The server (${actor.job ?? ''})`;
  }
}

const user = (name?: string) => (name ? html`<a href=${href('members', name)}>${name}</a>` : html`someone`);

/** One entry of the audit trail, as a sentence. */
export function auditText(e: AuditEntry): TemplateResult {
  const badge = e.badge ? html`<strong>${e.badge}</strong>` : nothing;
  const why = e.cause?.rule ? html` <span class="muted">(rule ${e.cause.rule})</span>` : nothing;
  switch (e.action) {
    case 'award.created':
      return html`${user(e.user)} was awarded ${badge}${e.count && e.count > 1 ? ` ×${e.count}` : ''}${why}`;
    case 'award.revoked':
      return html`${user(e.user)} lost ${badge}${why}`;
    case 'badge.created':
      return html`Badge ${badge} created`;
    case 'badge.updated':
      return html`Badge ${badge} changed`;
    case 'badge.deleted':
      return html`Badge ${badge} deleted`;
    case 'rule.created':
    case 'rule.updated':
    case 'rule.deleted':
      return html`Rule <code>${e.rule}</code> ${e.action.split('.')[1]}`;
    case 'key.created':
      return html`Key <strong>${e.label ?? e.key}</strong> made`;
    case 'key.deleted':
      return html`Key <code>${e.key}</code> revoked`;
    case 'endpoint.created':
    case 'endpoint.updated':
    case 'endpoint.deleted':
      return html`Webhook endpoint <code>${e.url ?? e.endpoint}</code> ${e.action.split('.')[1]}`;
    case 'invitation.created':
      return html`${e.email} invited to ${badge}`;
    case 'invitation.claimed':
      return html`${user(e.user)} claimed ${badge} through ${e.email}`;
    case 'invitation.cancelled':
      return html`Invitation of ${e.email} to ${badge} cancelled`;
    case 'claim_code.created':
      return html`Claim codes made for ${badge}`;
    case 'claim_code.redeemed':
      return html`${user(e.user)} redeemed a claim code for ${badge}`;
    case 'user.erased':
      return html`A member was erased (now <code>${e.user}</code>)`;
    case 'user.renamed':
      return html`<code>${e.from}</code> renamed to ${user(e.to)}`;
    case 'service.key_rotated':
      return html`The service key was rotated${e.previousKeyUntil ? html`; the old one works until ${formatDate(e.previousKeyUntil)}` : nothing}`;
    case 'service.updated':
      return html`Settings changed: ${(e.settings ?? []).join(', ')}`;
    case 'event_settings.updated':
      return html`Event settings changed`;
    default:
      return html`${e.action.replace(/[._]/g, ' ')}`;
  }
}

/**
 * The audit trail: who did what, newest first, filtered by actor, member or badge (the filters
 * live in the URL: `#/audit/user/ann/badge/gold`), a page at a time.
 */
export class AuditPage extends Page {
  static override properties = { args: { attribute: false }, entries: { state: true }, next: { state: true }, error: { state: true }, loadingMore: { state: true } };
  declare args: string[];
  declare entries: AuditEntry[] | null;
  declare next: string | null;
  declare error: unknown;
  declare loadingMore: boolean;
  /** The filters the entries are of; null before the first read. */
  private shownFor: string | null = null;

  constructor() {
    super();
    this.args = [];
    this.entries = null;
    this.next = null;
    this.error = null;
    this.loadingMore = false;
  }

  private get filters(): Record<string, string> {
    const out: Record<string, string> = {};
    for (let i = 0; i + 1 < this.args.length; i += 2) if (['actor', 'user', 'badge'].includes(this.args[i]!)) out[this.args[i]!] = this.args[i + 1]!;
    return out;
  }

  protected override willUpdate() {
    const key = this.args.join('/');
    if (key !== this.shownFor) {
      this.shownFor = key;
      this.entries = null;
      this.load(undefined);
    }
  }

  private async load(cursor: string | undefined) {
    try {
      const answer = await state.api.get<{ audit: AuditEntry[]; paging: { next: string | null } }>('audit.json', { ...this.filters, page_size: 50, cursor });
      this.entries = cursor ? [...(this.entries ?? []), ...answer.audit] : answer.audit;
      this.next = answer.paging.next ? new URL(answer.paging.next, location.origin).searchParams.get('cursor') : null;
      this.error = null;
    } catch (error) {
      this.error = error;
    } finally {
      this.loadingMore = false;
    }
  }

  override render() {
    const f = this.filters;
    const apply = (e: SubmitEvent) => {
      e.preventDefault();
      const form = e.target as HTMLFormElement;
      const args = ['actor', 'user', 'badge'].flatMap((k) => (field(form, k) ? [k, field(form, k)] : []));
      go('audit', ...args);
    };
    return html`${pageHeader('Audit trail', 'Who awarded, revoked, changed or deleted what, newest first. Kept for as long as the service exists.')}
      <form class="toolbar" @submit=${apply} aria-label="Filter the audit trail">
        ${fieldBlock('au-user', 'Member', html`<input id="au-user" name="user" .value=${f.user ?? ''} autocomplete="off" spellcheck="false" />`)}
        ${fieldBlock('au-badge', 'Badge', html`<input id="au-badge" name="badge" .value=${f.badge ?? ''} autocomplete="off" spellcheck="false" />`)}
        ${fieldBlock('au-actor', 'Done by', html`<input id="au-actor" name="actor" .value=${f.actor ?? ''} placeholder="service, operator, key:key_…" autocomplete="off" spellcheck="false" />`)}
        <button class="btn">Filter</button>
        ${Object.keys(f).length ? html`<a class="btn btn-quiet" href=${href('audit')}>Clear</a>` : nothing}
      </form>
      ${this.error ? errorBlock(this.error, () => this.load(undefined)) : nothing}
      ${this.entries === null
        ? loadingBlock('Loading the audit trail')
        : html`<div class="box">
            ${this.entries.length === 0
              ? html`<p class="empty">Nothing recorded${Object.keys(f).length ? ' that matches' : ''}.</p>`
              : html`<div class="table-scroll">
                  <table class="data">
                    <thead>
                      <tr>
                        <th scope="col">What</th>
                        <th scope="col">Who</th>
                        <th scope="col">When</th>
                      </tr>
                    </thead>
                    <tbody>
                      ${this.entries.map(
                        (e) => html`<tr>
                          <td>${auditText(e)}</td>
                          <td>
                            <a href=${href('audit', 'actor', e.actor.type === 'key' || e.actor.type === 'integration' ? `${e.actor.type}:${e.actor.id}` : e.actor.type)}>${actorText(e.actor)}</a>
                          </td>
                          <td>${ago(e.at)}</td>
                        </tr>`,
                      )}
                    </tbody>
                  </table>
                </div>`}
            ${this.next
              ? html`<div class="pager">
                  <button
                    class="btn btn-small"
                    ?disabled=${this.loadingMore}
                    @click=${() => {
                      this.loadingMore = true;
                      this.load(this.next!);
                    }}
                  >
                    ${this.loadingMore ? 'Loading…' : 'Older entries'}
                  </button>
                </div>`
              : nothing}
          </div>`}`;
  }
}

customElements.define('ub-audit-page', AuditPage);
