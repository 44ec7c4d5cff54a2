import { html, nothing } from 'lit';
import { QUOTA_NAMES, type QuotaName } from '../../types/constants.ts';
import { state } from '../state.ts';
import { formatBytes, readExport, type TransferProgress } from '../transfer.ts';
import { attempt, checkBlock, checked, download, errorText, field, fieldBlock, formatNumber, notify, Page, pageHeader } from '../ui.ts';

interface EventSettings {
  retentionDays: number;
  publicEvents: boolean;
}
interface EventType {
  source: string;
  type: string;
  action: string;
  description?: string;
}

interface Quota {
  limit: number;
  default: number;
  own: number | null;
  used: number;
}

const QUOTA_TEXT: Record<QuotaName, string> = {
  webhook_endpoints: 'Webhook endpoints',
  redeliveries: 'Redeliveries an hour',
  events: 'Events kept',
  rejected_events: 'Rejected events kept',
  invitations: 'Invitations',
  claim_codes: 'Claim codes',
};

/** An export under way: its progress, out of the users the service holds. */
export function exportProgress(p: TransferProgress | null, users: number | null) {
  if (!p) return nothing;
  return html`<div class="progress-line" role="status">
    ${users ? html`<progress max=${users} value=${Math.min(users, p.users)} aria-label="Users exported"></progress>` : html`<progress aria-label="Exporting"></progress>`}
    <span class="muted">${formatNumber(p.records)} records, ${formatBytes(p.bytes)}${users ? ` · ${formatNumber(p.users)} of ${formatNumber(users)} users` : ''}</span>
  </div>`;
}

/**
 * The service's settings: how long events are kept and whether they are public, the event types
 * rules count, and a backup of the whole service (an export, with progress). The operator also
 * sets whether the legacy signatures of the original clients are accepted.
 */
export class SettingsPage extends Page {
  static override properties = { events: { state: true }, types: { state: true }, legacy: { state: true }, quotas: { state: true }, progress: { state: true }, users: { state: true } };
  /** The service's quotas: the operator's to read and set (the admin API), so shown to the operator only. */
  declare quotas: Record<QuotaName, Quota> | null;
  declare events: EventSettings | null;
  declare types: EventType[] | null;
  declare legacy: boolean | null;
  declare progress: TransferProgress | null;
  declare users: number | null;

  constructor() {
    super();
    this.events = null;
    this.types = null;
    this.legacy = null;
    this.quotas = null;
    this.progress = null;
    this.users = null;
  }

  override connectedCallback() {
    super.connectedCallback();
    state.api.get<EventSettings>('event-settings.json').then((s) => (this.events = s), (e) => notify(errorText(e), 'error'));
    state.api.get<{ eventTypes: EventType[] }>('event-types.json').then((t) => (this.types = t.eventTypes), () => (this.types = []));
    if (state.operator) {
      state.api.admin<{ legacySignatures: boolean }>('GET', `services/${encodeURIComponent(state.api.service)}`).then((s) => (this.legacy = s.legacySignatures));
      state.api.admin<{ quotas: Record<QuotaName, Quota> }>('GET', `services/${encodeURIComponent(state.api.service)}/quotas`).then((q) => (this.quotas = q.quotas), (e) => notify(errorText(e), 'error'));
    }
  }

  override render() {
    return html`${pageHeader('Settings', `How ${state.api.service} keeps its data, and a backup of all of it.`)}
      <section class="box" aria-labelledby="st-events">
        <div class="box-header"><div><h2 id="st-events">Events</h2><p>What your site sends: kept for rules, shown in the activity feed.</p></div></div>
        ${this.events
          ? html`<form class="box-body stack" @submit=${(e: SubmitEvent) => this.saveEvents(e)}>
              ${fieldBlock('st-retention', 'Keep events for', html`<span class="inline-field"><input id="st-retention" name="retention" type="number" min="1" max="3660" step="1" inputmode="numeric" aria-describedby="st-retention-hint" .value=${String(this.events.retentionDays)} /> days</span>`, 'At least as long as the longest window of a rule, whatever this says.')}
              ${checkBlock('st-public', 'public', 'Public events', 'Show events (not only awards) in the public activity feed.', this.events.publicEvents)}
              <div class="form-actions"><button class="btn btn-primary">Save</button></div>
            </form>`
          : html`<p class="box-body muted">Loading…</p>`}
      </section>
      <section class="box" aria-labelledby="st-types">
        <div class="box-header"><div><h2 id="st-types">Event types</h2><p>What rules can count. Your site registers them; you can add one here.</p></div></div>
        ${this.types?.length
          ? html`<ul class="results">
              ${this.types.map((t) => html`<li><code>${t.source}/${t.type}/${t.action}</code><span class="muted">${t.description ?? ''}</span></li>`)}
            </ul>`
          : html`<p class="empty">None yet.</p>`}
        <form class="box-body form-grid form-grid-3" @submit=${(e: SubmitEvent) => this.addType(e)} aria-label="Add an event type">
          ${fieldBlock('st-source', 'Source', html`<input id="st-source" name="source" required pattern="[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}" placeholder="forum" />`)}
          ${fieldBlock('st-type', 'Type', html`<input id="st-type" name="type" required pattern="[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}" placeholder="post" />`)}
          ${fieldBlock('st-action', 'Action', html`<input id="st-action" name="action" required pattern="[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}" placeholder="create" />`)}
          ${fieldBlock('st-type-description', 'Description', html`<input id="st-type-description" name="description" maxlength="500" placeholder="A member wrote a post" />`, undefined, 'wide')}
          <div class="form-actions wide"><button class="btn">Add event type</button></div>
        </form>
      </section>
      ${state.operator && this.legacy !== null
        ? html`<section class="box" aria-labelledby="st-signatures">
            <div class="box-header"><div><h2 id="st-signatures">Signatures</h2><p>Set by the operator.</p></div></div>
            <form class="box-body stack" @submit=${(e: SubmitEvent) => this.saveLegacy(e)}>
              ${checkBlock('st-legacy', 'legacy', 'Accept legacy signatures', 'The SHA1 signatures of the original UserBadges clients. Turn off once every client signs with HMAC-SHA256.', this.legacy)}
              <div class="form-actions"><button class="btn">Save</button></div>
            </form>
          </section>`
        : nothing}
      ${state.operator && this.quotas ? this.quotaBox(this.quotas) : nothing}
      <section class="box" aria-labelledby="st-export">
        <div class="box-header"><div><h2 id="st-export">Export</h2><p>Everything the service holds, as JSON Lines: a backup, or a move to another server (<code>user-badges import</code>).</p></div></div>
        <form class="box-body stack" @submit=${(e: SubmitEvent) => this.exportAll(e)}>
          ${checkBlock('st-secrets', 'secrets', 'With keys and secrets', 'Needed to restore the service as it is; keep such a file as safe as the key.', true)}
          ${exportProgress(this.progress, this.users)}
          <div class="form-actions"><button class="btn" ?disabled=${this.progress !== null}>Export the service</button></div>
        </form>
      </section>`;
  }

  private async saveEvents(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const body = { retentionDays: Number(field(form, 'retention')), publicEvents: checked(form, 'public') };
    const saved = await attempt(() => state.api.put<EventSettings>('event-settings.json', body), 'Event settings saved');
    if (saved) this.events = saved;
  }

  private async addType(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const t = { source: field(form, 'source'), type: field(form, 'type'), action: field(form, 'action'), ...(field(form, 'description') ? { description: field(form, 'description') } : {}) };
    const answer = await attempt(() => state.api.put<{ eventTypes: EventType[] }>('event-types.json', { eventTypes: [t] }), 'Event type added');
    if (!answer) return;
    form.reset();
    this.types = (await state.api.get<{ eventTypes: EventType[] }>('event-types.json')).eventTypes;
  }

  private quotaBox(quotas: Record<QuotaName, Quota>) {
    return html`<section class="box" aria-labelledby="st-quotas">
      <div class="box-header"><div><h2 id="st-quotas">Quotas</h2><p>The most this service may hold. Empty: the server's default. Set by the operator.</p></div></div>
      <form @submit=${(e: SubmitEvent) => this.saveQuotas(e)}>
        <div class="table-scroll">
          <table class="data">
            <thead>
              <tr>
                <th scope="col">Quota</th>
                <th scope="col" class="num">Used</th>
                <th scope="col" class="num hide-narrow">Default</th>
                <th scope="col">Its own</th>
              </tr>
            </thead>
            <tbody>
              ${QUOTA_NAMES.map((name) => {
                const q = quotas[name];
                return html`<tr>
                  <th scope="row"><label for="q-${name}">${QUOTA_TEXT[name]}</label></th>
                  <td class="num"><span class=${q.used >= q.limit ? 'label label-danger' : ''}>${formatNumber(q.used)}</span></td>
                  <td class="num hide-narrow">${formatNumber(q.default)}</td>
                  <td><input id="q-${name}" name=${name} type="number" min="0" step="1" inputmode="numeric" class="quota-input" placeholder=${formatNumber(q.default)} .value=${q.own === null ? '' : String(q.own)} /></td>
                </tr>`;
              })}
            </tbody>
          </table>
        </div>
        <div class="box-body form-actions"><button class="btn">Save quotas</button></div>
      </form>
    </section>`;
  }

  private async saveQuotas(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const body = Object.fromEntries(QUOTA_NAMES.map((name) => [name, field(form, name) === '' ? null : Number(field(form, name))]));
    const saved = await attempt(() => state.api.admin<{ quotas: Record<QuotaName, Quota> }>('PATCH', `services/${encodeURIComponent(state.api.service)}/quotas`, body), 'Quotas saved');
    if (saved) this.quotas = saved.quotas;
  }

  private async saveLegacy(e: SubmitEvent) {
    e.preventDefault();
    const legacySignatures = checked(e.target as HTMLFormElement, 'legacy');
    const saved = await attempt(() => state.api.admin<{ legacySignatures: boolean }>('PATCH', `services/${encodeURIComponent(state.api.service)}`, { legacySignatures }), 'Saved');
    if (saved) this.legacy = saved.legacySignatures;
  }

  private async exportAll(e: SubmitEvent) {
    e.preventDefault();
    const secrets = checked(e.target as HTMLFormElement, 'secrets');
    this.progress = { bytes: 0, records: 0, users: 0 };
    try {
      this.users = (await state.api.get<{ paging: { total: number } }>('users.json', { page_size: 1 })).paging.total;
      const response = await state.api.fetch('GET', 'export.jsonl', { query: { secrets: secrets ? 'on' : 'off' } });
      const blob = await readExport(response, (p) => (this.progress = p));
      download(blob, `${state.api.service}-${new Date().toISOString().slice(0, 10)}.jsonl`);
      notify(`Exported ${formatNumber(this.progress.records)} records`);
    } catch (error) {
      notify(errorText(error), 'error');
    } finally {
      this.progress = null;
    }
  }
}

customElements.define('ub-settings-page', SettingsPage);
