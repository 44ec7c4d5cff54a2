import { html, nothing, type TemplateResult } from 'lit';
import type { Badge } from '../../types/api.ts';
import { go, href } from '../router.ts';
import { state } from '../state.ts';
import { ago, attempt, checkBlock, checked, checkedValues, confirmDialog, errorBlock, field, fieldBlock, formatNumber, loadingBlock, notify, optional, Page, pageHeader } from '../ui.ts';
import { allBadges } from './badges.ts';

interface EventType {
  source: string;
  type: string;
  action: string;
  description?: string;
}
interface Rule {
  id: string;
  badge: string;
  condition: 'count' | 'first' | 'days' | 'badges';
  eventTypes?: EventType[];
  data?: Record<string, string | number | boolean | null>;
  count?: number;
  window?: string | null;
  repeatable?: boolean;
  badges?: string[];
  revoke?: boolean;
  description?: string;
  updatedAt: string;
}
interface Preview {
  users: number;
  awards: number;
  scanned: number;
  sample: { user: string; awards: number; first: string }[];
}
interface Backfill {
  status: 'running' | 'done' | 'stopped';
  scanned: number;
  total: number;
  users: number;
  awards: number;
  message?: string;
}

const CONDITIONS: Record<Rule['condition'], { label: string; hint: string }> = {
  count: { label: 'A number of events', hint: 'Awarded once a member has sent this many events of the chosen types (within the window, if any).' },
  first: { label: 'The first event', hint: 'Awarded on the first event of the chosen types.' },
  days: { label: 'Events on a number of days', hint: 'Awarded once a member has sent such events on this many different days (UTC).' },
  badges: { label: 'Holding other badges', hint: 'Awarded to members who hold every one of the chosen badges.' },
};
const WINDOWS: [string, string][] = [
  ['', 'Ever'],
  ['P1D', 'Within a day'],
  ['P7D', 'Within 7 days'],
  ['P30D', 'Within 30 days'],
  ['P365D', 'Within a year'],
];

const typeKey = (t: EventType) => `${t.source}/${t.type}/${t.action}`;

/** What a rule does, in a sentence. */
function ruleText(r: Rule): TemplateResult {
  const types = (r.eventTypes ?? []).map((t) => html`<code>${typeKey(t)}</code> `);
  const win = r.window ? ` within ${WINDOWS.find(([w]) => w === r.window)?.[1].replace('Within ', '') ?? r.window}` : '';
  switch (r.condition) {
    case 'count':
      return html`${formatNumber(r.count ?? 1)} × ${types}${win}${r.repeatable ? ', again every time' : ''}`;
    case 'first':
      return html`First ${types}`;
    case 'days':
      return html`${types} on ${formatNumber(r.count ?? 1)} days${win}`;
    case 'badges':
      return html`Holds ${(r.badges ?? []).map((b) => html`<strong>${b}</strong> `)}`;
  }
}

/**
 * Rules: badges that award themselves from events (or from holding other badges). The editor shows
 * who the rule would award over the events already stored before it is saved; a saved rule can be
 * backfilled (applied to the stored events) with a progress bar.
 */
export class RulesPage extends Page {
  static override properties = {
    args: { attribute: false },
    rules: { state: true },
    types: { state: true },
    badges: { state: true },
    error: { state: true },
    preview: { state: true },
    previewing: { state: true },
    condition: { state: true },
    backfill: { state: true },
  };
  declare args: string[];
  declare rules: Rule[] | null;
  declare types: EventType[];
  declare badges: Badge[];
  declare error: unknown;
  declare preview: Preview | null;
  declare previewing: boolean;
  declare condition: Rule['condition'] | null;
  declare backfill: { rule: string; progress: Backfill } | null;
  private shownFor = '';
  private polling?: ReturnType<typeof setTimeout>;

  constructor() {
    super();
    this.args = [];
    this.rules = null;
    this.types = [];
    this.badges = [];
    this.error = null;
    this.preview = null;
    this.previewing = false;
    this.condition = null;
    this.backfill = null;
  }

  override connectedCallback() {
    super.connectedCallback();
    this.load();
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    clearTimeout(this.polling);
  }

  protected override willUpdate() {
    const key = this.args.join('/');
    if (key !== this.shownFor) {
      this.shownFor = key;
      this.preview = null;
      this.condition = null;
    }
  }

  private async load() {
    try {
      const [rules, types, badges] = await Promise.all([state.api.get<{ rules: Rule[] }>('rules.json'), state.api.get<{ eventTypes: EventType[] }>('event-types.json'), allBadges()]);
      this.rules = rules.rules;
      this.types = types.eventTypes;
      this.badges = badges;
      this.error = null;
    } catch (error) {
      this.error = error;
    }
  }

  override render() {
    if (this.error) return html`${pageHeader('Rules', '')}${errorBlock(this.error, () => this.load())}`;
    if (this.rules === null) return loadingBlock('Loading the rules');
    const [mode, id] = this.args;
    if (mode === 'new') return this.editor();
    if (mode === 'edit') {
      const rule = this.rules.find((r) => r.id === id);
      return rule ? this.editor(rule) : html`${pageHeader('Rule not found', html`<a href=${href('rules')}>All rules</a>`)}`;
    }
    return this.list(this.rules);
  }

  private list(rules: Rule[]) {
    return html`${pageHeader('Rules', 'Badges that award themselves: from the events your site sends, or from holding other badges.', html`<a class="btn btn-primary" href=${href('rules', 'new')}>New rule</a>`)}
      ${this.backfill ? this.backfillBox(this.backfill.rule, this.backfill.progress) : nothing}
      <div class="box">
        ${rules.length === 0
          ? html`<p class="empty">No rules yet. <a href=${href('rules', 'new')}>Make the first one</a>: for example, a badge for a member's first post.</p>`
          : html`<div class="table-scroll">
              <table class="data">
                <thead>
                  <tr>
                    <th scope="col">Rule</th>
                    <th scope="col">Awards</th>
                    <th scope="col">When</th>
                    <th scope="col"><span class="visually-hidden">Actions</span></th>
                  </tr>
                </thead>
                <tbody>
                  ${rules.map(
                    (r) => html`<tr>
                      <th scope="row"><a href=${href('rules', 'edit', r.id)}>${r.id}</a>${r.description ? html`<span class="sub muted">${r.description}</span>` : nothing}</th>
                      <td><strong>${r.badge}</strong>${r.revoke ? html` <span class="label">revocable</span>` : nothing}</td>
                      <td>${ruleText(r)}</td>
                      <td class="actions-cell">
                        <button class="btn btn-small" @click=${() => this.startBackfill(r)} aria-label=${`Backfill ${r.id}`}>Backfill</button>
                        <button class="btn btn-small btn-danger" @click=${() => this.deleteRule(r)} aria-label=${`Delete ${r.id}`}>Delete</button>
                      </td>
                    </tr>`,
                  )}
                </tbody>
              </table>
            </div>`}
      </div>`;
  }

  private editor(rule?: Rule) {
    const condition = this.condition ?? rule?.condition ?? 'count';
    const chosenTypes = new Set((rule?.eventTypes ?? []).map(typeKey));
    const scope = state.badgeScope;
    const badges = this.badges.filter((b) => !scope || scope.includes(b.name));
    const usesEvents = condition !== 'badges';
    return html`<p class="breadcrumb"><a href=${href('rules')}>Rules</a> / ${rule ? rule.id : 'New'}</p>
      ${pageHeader(rule ? `Edit rule ${rule.id}` : 'New rule', rule ? html`Changed ${ago(rule.updatedAt)}. A change applies to events from now on; backfill to apply it to those stored.` : 'Choose what a member must do, and the badge it earns them. Preview shows who it would award today.')}
      <form class="rule-form stack" @submit=${(e: SubmitEvent) => this.save(e, rule)} @input=${() => (this.preview = null)}>
        <section class="box" aria-labelledby="r-what">
          <div class="box-header"><h2 id="r-what">The rule</h2></div>
          <div class="box-body form-grid">
            ${rule
              ? html`<div class="field"><span class="field-label">Id</span><code>${rule.id}</code></div>`
              : fieldBlock('r-id', optional('Id'), html`<input id="r-id" name="id" pattern="[a-z0-9][a-z0-9_\\-]{0,63}" aria-describedby="r-id-hint" autocomplete="off" spellcheck="false" placeholder="e.g. first-post" />`, 'Lowercase letters, digits, - and _; made from the badge when empty.')}
            ${fieldBlock(
              'r-badge',
              'Badge it awards',
              html`<select id="r-badge" name="badge" required>
                <option value="">Choose a badge…</option>
                ${badges.map((b) => html`<option value=${b.name} ?selected=${rule?.badge === b.name}>${b.title ?? b.name}</option>`)}
              </select>`,
            )}
            ${fieldBlock('r-description', optional('Description'), html`<input id="r-description" name="description" maxlength="500" .value=${rule?.description ?? ''} placeholder="What it rewards, for your team" />`, undefined, 'wide')}
            <fieldset class="wide">
              <legend>Awarded for</legend>
              <div class="stack">
                ${(Object.keys(CONDITIONS) as Rule['condition'][]).map(
                  (c) => html`<div class="check">
                    <input type="radio" id="r-cond-${c}" name="condition" value=${c} .checked=${c === condition} aria-describedby="r-cond-${c}-hint" @change=${() => (this.condition = c)} />
                    <div><label for="r-cond-${c}">${CONDITIONS[c].label}</label> <small class="hint" id="r-cond-${c}-hint">${CONDITIONS[c].hint}</small></div>
                  </div>`,
                )}
              </div>
            </fieldset>
          </div>
        </section>
        ${usesEvents
          ? html`<section class="box" aria-labelledby="r-events">
              <div class="box-header"><div><h2 id="r-events">Events</h2><p>The event types your site registered.</p></div></div>
              <div class="box-body stack">
                ${this.types.length === 0
                  ? html`<p class="notice notice-info">No event types registered yet: your site registers them (<code>PUT event-types.json</code>) before sending events.</p>`
                  : html`<fieldset>
                      <legend>Event types</legend>
                      <div class="checks">
                        ${this.types.map(
                          (t) => html`<label class="check"
                            ><input type="checkbox" name="types" value=${typeKey(t)} .checked=${chosenTypes.has(typeKey(t))} /><span><code>${typeKey(t)}</code>${t.description ? html` <span class="hint">${t.description}</span>` : nothing}</span></label
                          >`,
                        )}
                      </div>
                    </fieldset>`}
                <div class="form-grid form-grid-3">
                  ${condition === 'count' || condition === 'days'
                    ? fieldBlock('r-count', condition === 'days' ? 'Days' : 'Events', html`<input id="r-count" name="count" type="number" min="1" max="1000000" step="1" inputmode="numeric" .value=${String(rule?.count ?? 1)} />`)
                    : nothing}
                  ${condition !== 'first'
                    ? fieldBlock(
                        'r-window',
                        'Within',
                        html`<select id="r-window" name="window">
                          ${[...WINDOWS, ...(rule?.window && !WINDOWS.some(([w]) => w === rule.window) ? [[rule.window, rule.window] as [string, string]] : [])].map(([w, text]) => html`<option value=${w} ?selected=${(rule?.window ?? '') === w}>${text}</option>`)}
                        </select>`,
                      )
                    : nothing}
                  ${fieldBlock('r-data', optional('Only events whose data has'), html`<input id="r-data" name="data" class="mono" aria-describedby="r-data-hint" .value=${rule?.data ? JSON.stringify(rule.data) : ''} placeholder='{"category": "help"}' />`, 'A JSON object of top-level values.')}
                </div>
                <div class="checks">
                  ${condition === 'count' ? checkBlock('r-repeatable', 'repeatable', 'Award again', 'Every further time the count is reached.', rule?.repeatable === true) : nothing}
                  ${condition !== 'first' ? checkBlock('r-revoke', 'revoke', 'Take it back', 'When the condition stops holding (a window, or badges lost).', rule?.revoke === true) : nothing}
                </div>
              </div>
            </section>`
          : html`<section class="box" aria-labelledby="r-badges">
              <div class="box-header"><div><h2 id="r-badges">Badges to hold</h2><p>Members holding all of these earn the badge.</p></div></div>
              <div class="box-body stack">
                <fieldset>
                  <legend class="visually-hidden">Badges to hold</legend>
                  <div class="checks">
                    ${this.badges.map((b) => html`<label class="check"><input type="checkbox" name="needs" value=${b.name} .checked=${rule?.badges?.includes(b.name) ?? false} /><span>${b.title ?? b.name}</span></label>`)}
                  </div>
                </fieldset>
                ${checkBlock('r-revoke', 'revoke', 'Take it back', 'When a member no longer holds them all.', rule?.revoke === true)}
              </div>
            </section>`}
        ${this.preview ? this.previewBox(this.preview) : nothing}
        <div class="form-actions">
          <button type="button" class="btn" ?disabled=${this.previewing} @click=${(e: Event) => this.runPreview((e.target as HTMLElement).closest('form')!)}>${this.previewing ? 'Previewing…' : 'Preview who it awards'}</button>
          <button class="btn btn-primary">${rule ? 'Save rule' : 'Create rule'}</button>
          <a class="btn" href=${href('rules')}>Cancel</a>
        </div>
      </form>
      ${rule && this.backfill?.rule === rule.id ? this.backfillBox(rule.id, this.backfill.progress) : nothing}`;
  }

  private previewBox(p: Preview) {
    return html`<section class="box" aria-labelledby="r-preview" aria-live="polite">
      <div class="box-header"><div><h2 id="r-preview">Preview</h2><p>Over the ${formatNumber(p.scanned)} events stored; nothing is awarded.</p></div></div>
      <p class="box-body"><strong>${formatNumber(p.users)} members</strong> would be awarded, ${formatNumber(p.awards)} awards in all.</p>
      ${p.sample.length
        ? html`<div class="table-scroll">
            <table class="data">
              <thead>
                <tr>
                  <th scope="col">Member</th>
                  <th scope="col" class="num">Awards</th>
                  <th scope="col">First earned</th>
                </tr>
              </thead>
              <tbody>
                ${p.sample.map((s) => html`<tr><th scope="row"><a href=${href('members', s.user)}>${s.user}</a></th><td class="num">${formatNumber(s.awards)}</td><td>${ago(s.first)}</td></tr>`)}
              </tbody>
            </table>
          </div>`
        : nothing}
    </section>`;
  }

  private backfillBox(id: string, p: Backfill) {
    const done = p.status !== 'running';
    return html`<section class="box" aria-labelledby="bf-title">
      <div class="box-header"><h2 id="bf-title">Backfill of ${id}</h2><span class="label ${p.status === 'done' ? 'label-success' : p.status === 'stopped' ? 'label-danger' : 'label-accent'}">${p.status}</span></div>
      <div class="box-body stack">
        <div class="progress-line">
          <progress max=${Math.max(1, p.total)} value=${p.scanned} aria-label="Events scanned"></progress>
          <span class="muted">${formatNumber(p.scanned)} of ${formatNumber(p.total)} events</span>
        </div>
        <p role="status">${done ? `Done: ${formatNumber(p.awards)} awards to ${formatNumber(p.users)} members.` : `So far ${formatNumber(p.awards)} awards to ${formatNumber(p.users)} members…`}${p.message ? ` ${p.message}` : ''}</p>
      </div>
    </section>`;
  }

  /** The rule the form describes, as the API takes it. */
  private ruleOf(form: HTMLFormElement, rule?: Rule): Record<string, unknown> {
    const condition = (checkedValues(form, 'condition')[0] ?? 'count') as Rule['condition'];
    const badge = field(form, 'badge');
    if (!badge) throw new Error('Choose the badge the rule awards.');
    const out: Record<string, unknown> = { badge, condition };
    const description = field(form, 'description');
    if (description || rule?.description) out.description = description;
    if (condition === 'badges') {
      const needs = checkedValues(form, 'needs');
      if (!needs.length) throw new Error('Choose the badges a member must hold.');
      out.badges = needs;
    } else {
      const types = checkedValues(form, 'types').map((k) => {
        const [source, type, action] = k.split('/');
        return { source, type, action };
      });
      if (!types.length) throw new Error('Choose at least one event type.');
      out.eventTypes = types;
      if (condition !== 'first') {
        out.count = Number(field(form, 'count') || 1);
        out.window = field(form, 'window') || null;
      }
      if (condition === 'count') out.repeatable = checked(form, 'repeatable');
      const data = field(form, 'data');
      if (data) {
        const parsed = JSON.parse(data);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('The data filter must be a JSON object, like {"category": "help"}');
        out.data = parsed;
      }
    }
    if (condition !== 'first') out.revoke = checked(form, 'revoke');
    return out;
  }

  private async runPreview(form: HTMLFormElement) {
    let body: Record<string, unknown>;
    try {
      body = this.ruleOf(form);
    } catch (error) {
      return notify((error as Error).message, 'error');
    }
    this.previewing = true;
    this.preview = (await attempt(() => state.api.post<Preview>('rule-preview.json', body))) ?? null;
    this.previewing = false;
  }

  private async save(e: SubmitEvent, rule?: Rule) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    let body: Record<string, unknown>;
    try {
      body = this.ruleOf(form, rule);
    } catch (error) {
      return notify((error as Error).message, 'error');
    }
    if (!rule) {
      const id = field(form, 'id') || String(body.badge).toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[-_]+/, '').slice(0, 64) || 'rule';
      body = { id, ...body };
    }
    const saved = await attempt(() => (rule ? state.api.put<Rule>(`rules/${encodeURIComponent(rule.id)}.json`, body) : state.api.post<Rule>('rules.json', body)), rule ? `Saved the rule ${rule.id}` : 'Rule created');
    if (!saved) return;
    await this.load();
    go('rules');
  }

  private async deleteRule(r: Rule) {
    const ok = await confirmDialog({ title: `Delete the rule ${r.id}?`, body: `It stops awarding ${r.badge}. The badges it awarded stay with their members.`, confirm: 'Delete rule', danger: true });
    if (!ok) return;
    if ((await attempt(() => state.api.delete(`rules/${encodeURIComponent(r.id)}.json`), `Deleted the rule ${r.id}`)) !== undefined) this.load();
  }

  private async startBackfill(r: Rule) {
    const preview = await attempt(() => state.api.get<Preview>(`rules/${encodeURIComponent(r.id)}/preview.json`));
    if (!preview) return;
    const ok = await confirmDialog({
      title: `Backfill ${r.id}?`,
      body: html`<p>The rule is applied to the ${formatNumber(preview.scanned)} events stored: <strong>${formatNumber(preview.users)} members</strong> would be awarded <strong>${r.badge}</strong> (${formatNumber(preview.awards)} awards).</p>`,
      confirm: 'Backfill',
    });
    if (!ok) return;
    const started = await attempt(() => state.api.post<Backfill>(`rules/${encodeURIComponent(r.id)}/backfill.json`));
    if (!started) return;
    this.backfill = { rule: r.id, progress: started };
    this.poll(r.id);
  }

  private poll(id: string) {
    clearTimeout(this.polling);
    this.polling = setTimeout(async () => {
      const progress = await attempt(() => state.api.get<Backfill>(`rules/${encodeURIComponent(id)}/backfill.json`));
      if (!progress) return;
      this.backfill = { rule: id, progress };
      if (progress.status === 'running') this.poll(id);
      else notify(`Backfill of ${id}: ${progress.awards} awards to ${progress.users} members`);
    }, 500);
  }
}

customElements.define('ub-rules-page', RulesPage);
