import { html, nothing } from 'lit';
import type { Attempt, Endpoint } from '../../types/access-schema.ts';
import { DOMAIN_EVENTS } from '../../types/domain-events.ts';
import { go, href } from '../router.ts';
import { state } from '../state.ts';
import { ago, attempt, checkedValues, confirmDialog, errorBlock, field, fieldBlock, formatDate, formatNumber, loadingBlock, notify, optional, Page, pageHeader } from '../ui.ts';

type EndpointView = Endpoint & { description?: string | null };

function endpointState(e: EndpointView) {
  if (e.disabled) return html`<span class="label label-danger">disabled</span>`;
  if (e.failingSince) return html`<span class="label label-warn">failing since ${formatDate(e.failingSince)}</span>`;
  return html`<span class="label label-success">active</span>`;
}

/**
 * Webhooks: the endpoints your services listen on, the delivery log of each (what was sent, what
 * came back, how long it took), and redelivery of a message that failed, once the receiver is fixed.
 */
export class WebhooksPage extends Page {
  static override properties = { args: { attribute: false }, endpoints: { state: true }, error: { state: true }, made: { state: true } };
  declare args: string[];
  declare endpoints: EndpointView[] | null;
  declare error: unknown;
  declare made: { id: string; secret: string } | null;

  constructor() {
    super();
    this.args = [];
    this.endpoints = null;
    this.error = null;
    this.made = null;
  }

  override connectedCallback() {
    super.connectedCallback();
    this.load();
  }

  async load() {
    try {
      this.endpoints = (await state.api.get<{ endpoints: EndpointView[] }>('webhooks.json')).endpoints;
      this.error = null;
    } catch (error) {
      this.error = error;
    }
  }

  override render() {
    if (this.args[0]) return html`<ub-webhook-view .id=${this.args[0]} @ub-changed=${() => this.load()}></ub-webhook-view>`;
    const manage = state.can('service');
    return html`${pageHeader('Webhooks', 'Your services are told what happens here (awards, revocations, new badges), signed so they can trust it. Failed deliveries are retried for a day.')}
      ${this.error ? errorBlock(this.error, () => this.load()) : nothing}
      ${this.made
        ? html`<section class="notice notice-success" role="region" aria-labelledby="wh-made">
            <p><strong id="wh-made">Endpoint registered.</strong> Its signing secret, to verify deliveries (Standard Webhooks):</p>
            <div class="secret"><code>${this.made.secret}</code></div>
            <p><a href=${href('webhooks', this.made.id)}>Open the endpoint</a> · <button class="btn btn-small" @click=${() => (this.made = null)}>Done</button></p>
          </section>`
        : nothing}
      <section class="box" aria-labelledby="wh-list">
        <div class="box-header"><h2 id="wh-list">Endpoints</h2></div>
        ${this.endpoints === null
          ? html`<div class="box-body">${loadingBlock()}</div>`
          : this.endpoints.length === 0
            ? html`<p class="empty">No endpoints yet.</p>`
            : html`<div class="table-scroll">
                <table class="data">
                  <thead>
                    <tr>
                      <th scope="col">Endpoint</th>
                      <th scope="col">State</th>
                      <th scope="col" class="num">Waiting</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${this.endpoints.map(
                      (e) => html`<tr>
                        <th scope="row">
                          <a href=${href('webhooks', e.id)}>${e.description || e.url}</a>
                          <span class="sub">${e.description ? html`${e.url} · ` : nothing}${e.events.join(', ')}</span>
                        </th>
                        <td>${endpointState(e)}</td>
                        <td class="num">${formatNumber(e.pending)}</td>
                      </tr>`,
                    )}
                  </tbody>
                </table>
              </div>`}
      </section>
      ${manage ? this.newForm() : nothing}`;
  }

  private newForm() {
    const create = async (e: SubmitEvent) => {
      e.preventDefault();
      const form = e.target as HTMLFormElement;
      const events = checkedValues(form, 'events');
      const description = field(form, 'description');
      const made = await attempt(
        () => state.api.post<{ id: string; secret: string }>('webhooks.json', { url: field(form, 'url'), events: events.length ? events : ['*'], ...(description ? { description } : {}) }),
        'Endpoint registered',
      );
      if (!made) return;
      this.made = made;
      form.reset();
      this.load();
    };
    return html`<section class="box" aria-labelledby="wh-new">
      <div class="box-header"><div><h2 id="wh-new">Register an endpoint</h2><p>A public https URL of your service that answers 2xx.</p></div></div>
      <form class="box-body stack" @submit=${create}>
        <div class="form-grid">
          ${fieldBlock('wh-url', 'URL', html`<input id="wh-url" name="url" type="url" required inputmode="url" placeholder="https://example.org/hooks/badges" />`)}
          ${fieldBlock('wh-description', optional('Description'), html`<input id="wh-description" name="description" maxlength="200" placeholder="e.g. Forum notifications" />`)}
        </div>
        <fieldset>
          <legend>Events <span class="muted">(none chosen: all)</span></legend>
          <div class="checks">
            ${Object.entries(DOMAIN_EVENTS).map(([name, text]) => html`<label class="check" title=${text}><input type="checkbox" name="events" value=${name} /><span><code>${name}</code></span></label>`)}
          </div>
        </fieldset>
        <div class="form-actions"><button class="btn btn-primary">Register endpoint</button></div>
      </form>
    </section>`;
  }
}

/** One endpoint: its settings, its secret, the delivery log, redelivery. */
export class WebhookView extends Page {
  static override properties = { id: {}, endpoint: { state: true }, attempts: { state: true }, page: { state: true }, pages: { state: true }, error: { state: true }, secret: { state: true } };
  declare id: string;
  declare endpoint: EndpointView | null;
  declare attempts: Attempt[] | null;
  declare page: number;
  declare pages: number;
  declare error: unknown;
  declare secret: string | null;
  private timer?: ReturnType<typeof setTimeout>;

  constructor() {
    super();
    this.id = '';
    this.endpoint = null;
    this.attempts = null;
    this.page = 1;
    this.pages = 1;
    this.error = null;
    this.secret = null;
  }

  override connectedCallback() {
    super.connectedCallback();
    this.load();
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    clearTimeout(this.timer);
  }

  private async load(page = this.page) {
    clearTimeout(this.timer);
    try {
      const [list, log] = await Promise.all([
        state.api.get<{ endpoints: EndpointView[] }>('webhooks.json'),
        state.api.get<{ attempts: Attempt[]; paging: { pages: number } }>(`webhooks/${this.id}/attempts.json`, { page, page_size: 25 }),
      ]);
      this.endpoint = list.endpoints.find((e) => e.id === this.id) ?? null;
      this.attempts = log.attempts;
      this.page = page;
      this.pages = log.paging.pages;
      this.error = this.endpoint ? null : new Error('No such endpoint');
    } catch (error) {
      this.error = error;
    }
    // The log grows while deliveries go out: read it again now and then, on its first page.
    if (this.isConnected && this.page === 1) this.timer = setTimeout(() => this.load(1), 3000);
  }

  override render() {
    const crumb = html`<p class="breadcrumb"><a href=${href('webhooks')}>Webhooks</a> / ${this.endpoint?.description || this.id}</p>`;
    if (this.error) return html`${crumb}${errorBlock(this.error, () => this.load())}`;
    if (!this.endpoint || !this.attempts) return html`${crumb}${loadingBlock('Loading the endpoint')}`;
    const e = this.endpoint;
    const manage = state.can('service');
    return html`${crumb}
      ${pageHeader(
        e.description || 'Endpoint',
        html`<code>${e.url}</code>`,
        manage
          ? html`<button class="btn" @click=${() => this.toggle()}>${e.disabled ? 'Enable' : 'Disable'}</button>
              <button class="btn btn-danger" @click=${() => this.deleteEndpoint()}>Delete</button>`
          : nothing,
      )}
      <section class="box" aria-labelledby="we-facts">
        <div class="box-header"><h2 id="we-facts">Endpoint</h2>${endpointState(e)}</div>
        <div class="box-body">
          <dl class="facts">
            <dt>Events</dt>
            <dd>${e.events.map((ev) => html`<code>${ev}</code> `)}</dd>
            <dt>Waiting</dt>
            <dd>${formatNumber(e.pending)} ${e.pending === 1 ? 'delivery' : 'deliveries'}</dd>
            ${e.disabledReason ? html`<dt>Disabled because</dt><dd>${e.disabledReason}</dd>` : nothing}
            <dt>Registered</dt>
            <dd>${formatDate(e.createdAt)}</dd>
            ${manage
              ? html`<dt>Signing secret</dt>
                  <dd>${this.secret ? html`<code>${this.secret}</code>` : html`<button class="btn btn-small" @click=${() => this.showSecret()}>Reveal</button>`}</dd>`
              : nothing}
          </dl>
        </div>
      </section>
      <section class="box" aria-labelledby="we-log">
        <div class="box-header"><div><h2 id="we-log">Delivery log</h2><p>Every attempt, newest first. Redeliver sends a message again now, with the same id.</p></div></div>
        ${this.attempts.length === 0
          ? html`<p class="empty">Nothing sent yet.</p>`
          : html`<div class="table-scroll">
              <table class="data">
                <thead>
                  <tr>
                    <th scope="col">Event</th>
                    <th scope="col">Result</th>
                    <th scope="col" class="num">Latency</th>
                    <th scope="col" class="hide-narrow">When</th>
                    ${manage ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : nothing}
                  </tr>
                </thead>
                <tbody>
                  ${this.attempts.map(
                    (a) => html`<tr>
                      <th scope="row"><code>${a.type}</code><span class="sub">attempt ${a.attempt} · <code>${a.message}</code></span></th>
                      <td>
                        <span class="label ${a.outcome === 'succeeded' ? 'label-success' : 'label-danger'}">${a.responseCode ?? 'no answer'}</span>
                        ${a.error ? html`<span class="sub muted">${a.error}</span>` : nothing}
                        ${a.next ? html`<span class="sub muted">next try ${ago(a.next)}</span>` : nothing}
                      </td>
                      <td class="num">${formatNumber(a.latencyMs)} ms</td>
                      <td class="hide-narrow">${ago(a.at)}</td>
                      ${manage
                        ? html`<td class="actions-cell">
                            ${a.outcome === 'failed' ? html`<button class="btn btn-small" aria-label=${`Redeliver ${a.type} ${a.message}`} @click=${() => this.redeliver(a)}>Redeliver</button>` : nothing}
                          </td>`
                        : nothing}
                    </tr>`,
                  )}
                </tbody>
              </table>
            </div>
            ${this.pages > 1
              ? html`<nav class="pager" aria-label="Pages of the delivery log">
                  <button class="btn btn-small" ?disabled=${this.page <= 1} @click=${() => this.load(this.page - 1)}>Newer</button>
                  <span class="muted">Page ${this.page} of ${this.pages}</span>
                  <button class="btn btn-small" ?disabled=${this.page >= this.pages} @click=${() => this.load(this.page + 1)}>Older</button>
                </nav>`
              : nothing}`}
      </section>`;
  }

  private changed() {
    this.dispatchEvent(new Event('ub-changed', { bubbles: true }));
  }

  private async showSecret() {
    const full = await attempt(() => state.api.get<{ secret: string }>(`webhooks/${this.id}.json`));
    if (full) this.secret = full.secret;
  }

  private async toggle() {
    const disabled = !this.endpoint!.disabled;
    if ((await attempt(() => state.api.patch(`webhooks/${this.id}.json`, { disabled }), disabled ? 'Endpoint disabled' : 'Endpoint enabled')) !== undefined) {
      this.load();
      this.changed();
    }
  }

  private async deleteEndpoint() {
    const e = this.endpoint!;
    const ok = await confirmDialog({ title: 'Delete this endpoint?', body: `${e.url} is told nothing more; the ${formatNumber(e.pending)} deliveries still waiting are dropped.`, confirm: 'Delete endpoint', danger: true });
    if (!ok) return;
    if ((await attempt(() => state.api.delete(`webhooks/${this.id}.json`), 'Endpoint deleted')) !== undefined) {
      this.changed();
      go('webhooks');
    }
  }

  private async redeliver(a: Attempt) {
    const sent = await attempt(() => state.api.post(`webhooks/${this.id}/messages/${a.message}/redeliver.json`), `Sending ${a.type} again`);
    if (sent !== undefined) {
      notify('It shows in the log once answered.', 'info');
      setTimeout(() => this.load(1), 800);
    }
  }
}

customElements.define('ub-webhooks-page', WebhooksPage);
customElements.define('ub-webhook-view', WebhookView);
