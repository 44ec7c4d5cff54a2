import { html, nothing } from 'lit';
import type { Badge } from '../../types/api.ts';
import { state, type Operation } from '../state.ts';
import { ago, attempt, checkedValues, confirmDialog, errorBlock, field, fieldBlock, formatDate, isoFromLocal, loadingBlock, notify, optional, Page, pageHeader } from '../ui.ts';
import { allBadges } from './badges.ts';

interface Key {
  id: string;
  label: string;
  operations: Operation[];
  badges: string[] | null;
  expiresAt: string | null;
  createdAt: string;
}

export const OPERATION_TEXT: Record<Operation, { label: string; hint: string }> = {
  award: { label: 'Award', hint: 'Give badges, one by one, by email or with claim codes' },
  revoke: { label: 'Revoke', hint: 'Take badges back, cancel invitations' },
  manage_badges: { label: 'Manage badges', hint: 'Create, change and delete badges' },
  read_private: { label: 'Read private data', hint: 'Addresses, invitations, claim codes, webhook logs, figures' },
};

const GRACES: [string, string][] = [
  ['', 'None: the old key stops at once'],
  ['1h', 'An hour'],
  ['24h', 'A day'],
  ['7d', 'A week'],
  ['30d', '30 days'],
];

/**
 * Keys: scoped keys (a moderators' bot that may only award, an export job that may only read),
 * made with a secret shown once, and revoked; and the service's own key, rotated with a grace
 * during which the old one still works.
 */
export class KeysPage extends Page {
  static override properties = { keys: { state: true }, badges: { state: true }, error: { state: true }, made: { state: true }, rotated: { state: true }, previousUntil: { state: true } };
  declare keys: Key[] | null;
  declare badges: Badge[];
  declare error: unknown;
  declare made: { label: string; token: string } | null;
  declare rotated: { key: string; previousKeyUntil: string | null } | null;
  declare previousUntil: string | null;

  constructor() {
    super();
    this.keys = null;
    this.badges = [];
    this.error = null;
    this.made = null;
    this.rotated = null;
    this.previousUntil = state.access?.previousKeyUntil ?? null;
  }

  override connectedCallback() {
    super.connectedCallback();
    this.load();
  }

  private async load() {
    try {
      const [keys, badges] = await Promise.all([state.api.get<{ keys: Key[] }>('keys.json'), allBadges()]);
      this.keys = keys.keys;
      this.badges = badges;
      this.error = null;
    } catch (error) {
      this.error = error;
    }
  }

  override render() {
    return html`${pageHeader('Keys', 'Keys for your site and your tools. Give each tool a key that may do only what it needs.')}
      ${this.error ? errorBlock(this.error, () => this.load()) : nothing}
      ${this.made ? this.secretBox(`The key ${this.made.label}`, this.made.token, 'Copy it now: it is not shown again. Use it as the Authorization header.', () => (this.made = null)) : nothing}
      ${this.rotated ? this.secretBox('The new service key', this.rotated.key, this.rotated.previousKeyUntil ? `The old key works until ${formatDate(this.rotated.previousKeyUntil)}: update your site before then.` : 'The old key stopped working.', () => (this.rotated = null)) : nothing}
      <section class="box" aria-labelledby="k-list">
        <div class="box-header"><h2 id="k-list">Scoped keys</h2></div>
        ${this.keys === null
          ? html`<div class="box-body">${loadingBlock()}</div>`
          : this.keys.length === 0
            ? html`<p class="empty">No scoped keys yet.</p>`
            : html`<div class="table-scroll">
                <table class="data">
                  <thead>
                    <tr>
                      <th scope="col">Key</th>
                      <th scope="col">May</th>
                      <th scope="col" class="hide-narrow">Expires</th>
                      <th scope="col"><span class="visually-hidden">Actions</span></th>
                    </tr>
                  </thead>
                  <tbody>
                    ${this.keys.map(
                      (k) => html`<tr>
                        <th scope="row">${k.label}<span class="sub"><code>${k.id}</code> · made ${ago(k.createdAt)}</span></th>
                        <td>
                          <span class="labels">${k.operations.map((op) => html`<span class="label">${OPERATION_TEXT[op]?.label ?? op}</span>`)}</span>
                          <span class="sub muted">${k.badges === null ? 'All badges' : `Badges: ${k.badges.join(', ') || 'none'}`}</span>
                        </td>
                        <td class="hide-narrow">${k.expiresAt ? formatDate(k.expiresAt) : html`<span class="muted">Never</span>`}</td>
                        <td class="actions-cell"><button class="btn btn-small btn-danger" aria-label=${`Revoke ${k.label}`} @click=${() => this.revoke(k)}>Revoke</button></td>
                      </tr>`,
                    )}
                  </tbody>
                </table>
              </div>`}
      </section>
      <section class="box" aria-labelledby="k-new">
        <div class="box-header"><div><h2 id="k-new">New scoped key</h2><p>What it may do, on which badges, until when.</p></div></div>
        <form class="box-body stack" @submit=${(e: SubmitEvent) => this.create(e)}>
          ${fieldBlock('k-label', 'Label', html`<input id="k-label" name="label" required maxlength="100" aria-describedby="k-label-hint" placeholder="e.g. Forum moderators" />`, 'Who or what uses it: shown in the audit trail.')}
          <fieldset>
            <legend>It may</legend>
            <div class="checks">
              ${(Object.keys(OPERATION_TEXT) as Operation[]).map(
                (op) => html`<div class="check">
                  <input type="checkbox" id="k-op-${op}" name="operations" value=${op} aria-describedby="k-op-${op}-hint" />
                  <div><label for="k-op-${op}">${OPERATION_TEXT[op].label}</label> <small class="hint" id="k-op-${op}-hint">${OPERATION_TEXT[op].hint}</small></div>
                </div>`,
              )}
            </div>
          </fieldset>
          <div class="form-grid">
            ${fieldBlock(
              'k-badges',
              optional('Only these badges'),
              html`<select id="k-badges" name="badges" multiple size="4" aria-describedby="k-badges-hint">
                ${this.badges.map((b) => html`<option value=${b.name}>${b.title ?? b.name}</option>`)}
              </select>`,
              'None chosen: every badge.',
            )}
            ${fieldBlock('k-expires', optional('Expires'), html`<input id="k-expires" name="expires" type="datetime-local" aria-describedby="k-expires-hint" />`, 'Empty: never.')}
          </div>
          <div class="form-actions"><button class="btn btn-primary">Create key</button></div>
        </form>
      </section>
      <section class="box box-danger" aria-labelledby="k-service">
        <div class="box-header"><div><h2 id="k-service">The service key</h2><p>It may do everything. Rotate it if it may have leaked, or now and then.</p></div></div>
        <form class="box-body stack" @submit=${(e: SubmitEvent) => this.rotate(e)}>
          ${this.previousUntil ? html`<p class="notice notice-warn">The previous key still works until ${formatDate(this.previousUntil)}.</p>` : nothing}
          ${fieldBlock(
            'k-grace',
            'Keep the old key working for',
            html`<select id="k-grace" name="grace" aria-describedby="k-grace-hint">
              ${GRACES.map(([v, text]) => html`<option value=${v} ?selected=${v === '24h'}>${text}</option>`)}
            </select>`,
            'Time to put the new key into your site before the old one stops.',
          )}
          <div class="form-actions"><button class="btn btn-danger">Rotate the service key</button></div>
        </form>
      </section>`;
  }

  private secretBox(title: string, secret: string, hint: string, dismiss: () => void) {
    const copy = async () => {
      await navigator.clipboard.writeText(secret).then(
        () => notify('Copied'),
        () => notify('Select the key and copy it', 'info'),
      );
    };
    return html`<section class="notice notice-success" aria-labelledby="secret-title" role="region">
      <p><strong id="secret-title">${title}</strong></p>
      <div class="secret"><code>${secret}</code><button class="btn btn-small" @click=${copy}>Copy</button></div>
      <p class="hint">${hint}</p>
      <button class="btn btn-small" @click=${dismiss}>Done</button>
    </section>`;
  }

  private async create(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const operations = checkedValues(form, 'operations');
    if (!operations.length) return notify('Choose at least one thing the key may do.', 'error');
    const badges = [...(form.elements.namedItem('badges') as HTMLSelectElement).selectedOptions].map((o) => o.value);
    const body = { label: field(form, 'label'), operations, badges: badges.length ? badges : null, expiresAt: isoFromLocal(field(form, 'expires')) };
    const made = await attempt(() => state.api.post<{ label: string; token: string }>('keys.json', body), 'Key created');
    if (!made) return;
    this.made = made;
    form.reset();
    this.load();
  }

  private async revoke(k: Key) {
    const ok = await confirmDialog({ title: `Revoke ${k.label}?`, body: 'Whatever uses it is refused from its next request.', confirm: 'Revoke key', danger: true });
    if (!ok) return;
    if ((await attempt(() => state.api.delete(`keys/${k.id}.json`), `Revoked ${k.label}`)) !== undefined) this.load();
  }

  private async rotate(e: SubmitEvent) {
    e.preventDefault();
    const grace = field(e.target as HTMLFormElement, 'grace');
    const ok = await confirmDialog({
      title: 'Rotate the service key?',
      body: grace ? `A new key is made; the current one keeps working for ${GRACES.find(([g]) => g === grace)?.[1].toLowerCase()}.` : 'A new key is made, and the current one stops working at once: your site is refused until it has the new key.',
      confirm: 'Rotate',
      danger: true,
    });
    if (!ok) return;
    const rotated = await attempt(() => state.api.post<{ key: string; previousKeyUntil: string | null }>('key.json', undefined, { grace }), 'The service key was rotated');
    if (!rotated) return;
    this.rotated = rotated;
    this.previousUntil = rotated.previousKeyUntil;
    // The console goes on with the new key (the operator's reads it through the admin API).
    if (!state.operator) await state.replaceKey(rotated.key);
    else await state.openService(state.api.service);
  }
}

customElements.define('ub-keys-page', KeysPage);
