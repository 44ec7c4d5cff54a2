import { html, nothing } from 'lit';
import type { AdminService } from '../../types/schema.ts';
import { go } from '../router.ts';
import { state } from '../state.ts';
import { readExport, type TransferProgress } from '../transfer.ts';
import { attempt, checkBlock, checked, confirmDialog, download, errorBlock, errorText, field, fieldBlock, formatDate, formatNumber, loadingBlock, notify, Page, pageHeader } from '../ui.ts';
import { exportProgress } from './settings.ts';

const GRACES: [string, string][] = [
  ['', 'None: the old key stops at once'],
  ['1h', 'An hour'],
  ['24h', 'A day'],
  ['7d', 'A week'],
  ['30d', '30 days'],
];

/**
 * The operator's page: every service of the server, opened to manage it as its own key would,
 * created (its key shown once), given a new key with a grace, or deleted with all it holds.
 */
export class ServicesPage extends Page {
  static override properties = { services: { state: true }, error: { state: true }, shown: { state: true } };
  declare services: AdminService[] | null;
  declare error: unknown;
  declare shown: { title: string; key: string; note: string } | null;

  constructor() {
    super();
    this.services = null;
    this.error = null;
    this.shown = null;
  }

  override connectedCallback() {
    super.connectedCallback();
    this.load();
  }

  private async load() {
    try {
      this.services = (await state.api.admin<{ services: AdminService[] }>('GET', 'services')).services;
      this.error = null;
    } catch (error) {
      this.error = error;
    }
  }

  override render() {
    return html`${pageHeader('Services', 'Every community this server keeps badges for. Open one to manage it.')}
      ${this.error ? errorBlock(this.error, () => this.load()) : nothing}
      ${this.shown
        ? html`<section class="notice notice-success" role="region" aria-labelledby="sv-key">
            <p><strong id="sv-key">${this.shown.title}</strong></p>
            <div class="secret"><code>${this.shown.key}</code></div>
            <p class="hint">${this.shown.note}</p>
            <button class="btn btn-small" @click=${() => (this.shown = null)}>Done</button>
          </section>`
        : nothing}
      <section class="box" aria-labelledby="sv-list">
        <div class="box-header"><h2 id="sv-list">Services</h2>${this.services ? html`<span class="muted">${formatNumber(this.services.length)}</span>` : nothing}</div>
        ${this.services === null
          ? html`<div class="box-body">${loadingBlock()}</div>`
          : this.services.length === 0
            ? html`<p class="empty">No services yet.</p>`
            : html`<div class="table-scroll">
                <table class="data">
                  <thead>
                    <tr>
                      <th scope="col">Service</th>
                      <th scope="col" class="hide-narrow">Created</th>
                      <th scope="col"><span class="visually-hidden">Actions</span></th>
                    </tr>
                  </thead>
                  <tbody>
                    ${this.services.map(
                      (s) => html`<tr>
                        <th scope="row">${s.name}${s.legacySignatures ? html` <span class="label">legacy signatures</span>` : nothing}</th>
                        <td class="hide-narrow">${formatDate(s.createdAt)}</td>
                        <td class="actions-cell">
                          <button class="btn btn-small btn-primary" aria-label=${`Open ${s.name}`} @click=${() => this.open(s.name)}>Open</button>
                          <button class="btn btn-small" aria-label=${`New key for ${s.name}`} @click=${() => this.rotate(s.name)}>New key</button>
                          <button class="btn btn-small btn-danger" aria-label=${`Delete ${s.name}`} @click=${() => this.deleteService(s.name)}>Delete</button>
                        </td>
                      </tr>`,
                    )}
                  </tbody>
                </table>
              </div>`}
      </section>
      <section class="box" aria-labelledby="sv-new">
        <div class="box-header"><div><h2 id="sv-new">New service</h2><p>A community, site or app with badges of its own.</p></div></div>
        <form class="box-body stack" @submit=${(e: SubmitEvent) => this.create(e)}>
          ${fieldBlock('sv-name', 'Name', html`<input id="sv-name" name="name" required pattern="[A-Za-z0-9][A-Za-z0-9_\\-]{0,63}" autocomplete="off" spellcheck="false" aria-describedby="sv-name-hint" placeholder="e.g. community" />`, 'Letters, digits, - and _. Widgets name it: it cannot change.')}
          ${checkBlock('sv-legacy', 'legacy', 'Accept legacy signatures', 'Only for clients of the original UserBadges API that sign with SHA1.', false)}
          <div class="form-actions"><button class="btn btn-primary">Create service</button></div>
        </form>
      </section>`;
  }

  private async open(name: string) {
    await attempt(() => state.openService(name));
    go('overview');
  }

  private async create(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const name = field(form, 'name');
    const made = await attempt(() => state.api.admin<{ name: string; key: string }>('POST', 'services', { name, legacySignatures: checked(form, 'legacy') }), `Created ${name}`);
    if (!made) return;
    this.shown = { title: `The key of ${made.name}`, key: made.key, note: 'Put it in your site\'s settings. You can read it again here ("New key" makes another).' };
    form.reset();
    this.load();
  }

  private async rotate(name: string) {
    let grace = '24h';
    const ok = await confirmDialog({
      title: `A new key for ${name}?`,
      body: html`<p>Sites and tools using the current key need the new one.</p>
        ${fieldBlock(
          'sv-grace',
          'Keep the old key working for',
          html`<select id="sv-grace" @change=${(e: Event) => (grace = (e.target as HTMLSelectElement).value)}>
            ${GRACES.map(([v, text]) => html`<option value=${v} ?selected=${v === grace}>${text}</option>`)}
          </select>`,
        )}`,
      confirm: 'Make a new key',
      danger: true,
    });
    if (!ok) return;
    const rotated = await attempt(() => state.api.admin<{ key: string; previousKeyUntil: string | null }>('POST', `services/${encodeURIComponent(name)}/key`, undefined, { grace }), `${name} has a new key`);
    if (rotated) this.shown = { title: `The new key of ${name}`, key: rotated.key, note: rotated.previousKeyUntil ? `The old key works until ${formatDate(rotated.previousKeyUntil)}.` : 'The old key stopped working.' };
  }

  private async deleteService(name: string) {
    const ok = await confirmDialog({
      title: `Delete ${name}?`,
      body: html`<p>Every badge, member, award, event, rule, key and webhook of ${name} goes, for good. Export it first to keep a copy.</p>`,
      confirm: 'Delete this service',
      danger: true,
      typeToConfirm: name,
    });
    if (!ok) return;
    if ((await attempt(() => state.api.admin('DELETE', `services/${encodeURIComponent(name)}`), `Deleted ${name}`)) !== undefined) this.load();
  }
}

/** The operator's export of the whole store (or one service), with progress. */
export class TransferPage extends Page {
  static override properties = { services: { state: true }, progress: { state: true } };
  declare services: AdminService[];
  declare progress: TransferProgress | null;

  constructor() {
    super();
    this.services = [];
    this.progress = null;
  }

  override connectedCallback() {
    super.connectedCallback();
    state.api.admin<{ services: AdminService[] }>('GET', 'services').then((r) => (this.services = r.services));
  }

  override render() {
    return html`${pageHeader('Export and import', 'A backup of the server while it runs, from one consistent moment; or a move to another server.')}
      <section class="box" aria-labelledby="tr-export">
        <div class="box-header"><div><h2 id="tr-export">Export</h2><p>JSON Lines, as <code>user-badges export</code> writes them.</p></div></div>
        <form class="box-body stack" @submit=${(e: SubmitEvent) => this.exportStore(e)}>
          ${fieldBlock(
            'tr-service',
            'What',
            html`<select id="tr-service" name="service">
              <option value="">Every service</option>
              ${this.services.map((s) => html`<option value=${s.name}>${s.name}</option>`)}
            </select>`,
          )}
          ${checkBlock('tr-secrets', 'secrets', 'With keys and secrets', 'Needed to restore services as they are; keep such a file as safe as the keys.', true)}
          ${exportProgress(this.progress, null)}
          <div class="form-actions"><button class="btn btn-primary" ?disabled=${this.progress !== null}>Export</button></div>
        </form>
      </section>
      <section class="box" aria-labelledby="tr-import">
        <div class="box-header"><div><h2 id="tr-import">Import</h2><p>Into services that do not exist yet.</p></div></div>
        <p class="box-body">Import runs on the server's machine: <code>user-badges import FILE</code> (the server may keep running with PostgreSQL; stop it first with the embedded store).</p>
      </section>`;
  }

  private async exportStore(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const service = field(form, 'service');
    this.progress = { bytes: 0, records: 0, users: 0 };
    try {
      const response = await state.api.fetch('GET', '/admin/export', { auth: 'operator', query: { service, secrets: checked(form, 'secrets') ? 'on' : 'off' } });
      const blob = await readExport(response, (p) => (this.progress = p));
      download(blob, `${service || 'user-badges'}-${new Date().toISOString().slice(0, 10)}.jsonl`);
      notify(`Exported ${formatNumber(this.progress.records)} records`);
    } catch (error) {
      notify(errorText(error), 'error');
    } finally {
      this.progress = null;
    }
  }
}

customElements.define('ub-services-page', ServicesPage);
customElements.define('ub-transfer-page', TransferPage);
