import { html, nothing, type TemplateResult } from 'lit';
import type { Badge, JsonValue } from '../../types/api.ts';
import { previewElement, showDraft } from '../preview.ts';
import { go, href } from '../router.ts';
import { state } from '../state.ts';
import { ago, attempt, checkBlock, checked, fieldBlock, optional, confirmDialog, errorBlock, field, formatDate, formatNumber, isoFromLocal, loadingBlock, localFromIso, notify, Page, pageHeader } from '../ui.ts';

/** The fields the editor has a control for; any other is edited as JSON under "More fields". */
const FORM_FIELDS = ['title', 'description', 'link', 'type', 'image', 'tags', 'is_enabled', 'unique', 'goal', 'frequency', 'date_start', 'date_end', 'display_date_start', 'display_date_end'];
const SERVER_FIELDS = ['name', 'count', 'latest', 'globalCount', 'globalLatest'];
const TIERS = ['gold', 'silver', 'bronze'];
/** The themes the widget ships, each previewed. */
const THEMES = ['light', 'dark', 'github', 'stackoverflow', 'minimal'];
const PERIODS = ['day', 'week', 'month', 'year'];

export const tierIcon = (type: unknown) => (type === 'gold' ? '★' : type === 'silver' ? '◆' : type === 'bronze' ? '●' : '☆');

/** A badge's picture as the lists show it: its image, else its tier's mark. */
export function badgeArt(badge: Badge): TemplateResult {
  const image = typeof badge.image === 'string' ? badge.image : null;
  return image ? html`<img class="badge-art" src=${image} alt="" loading="lazy" />` : html`<span class="badge-art tier-${String(badge.type ?? 'other')}" aria-hidden="true">${tierIcon(badge.type)}</span>`;
}

/** Every badge of the service (a thousand at most per page; pages read until the last). */
export async function allBadges(): Promise<Badge[]> {
  const badges: Badge[] = [];
  for (let page = 1; ; page++) {
    const answer = await state.api.get<{ badges: Badge[]; paging?: { pages: number } }>('badges.json', { page, page_size: 1000, sort: 'name' });
    badges.push(...answer.badges);
    if (!answer.paging || page >= answer.paging.pages) return badges;
  }
}

/**
 * Badges: the list (with how often each was awarded), and the editor of one badge with a live
 * preview of the real widget in every theme. Deleting says first what will go with it.
 */
export class BadgesPage extends Page {
  static override properties = { args: { attribute: false }, badges: { state: true }, error: { state: true }, filter: { state: true }, saving: { state: true }, formError: { state: true } };
  declare args: string[];
  declare badges: Badge[] | null;
  declare error: unknown;
  declare filter: string;
  declare saving: boolean;
  declare formError: string;
  private previewTimer?: ReturnType<typeof setTimeout>;

  constructor() {
    super();
    this.args = [];
    this.badges = null;
    this.error = null;
    this.filter = '';
    this.saving = false;
    this.formError = '';
  }

  override connectedCallback() {
    super.connectedCallback();
    this.load();
  }

  private async load() {
    try {
      this.badges = await allBadges();
      this.error = null;
    } catch (error) {
      this.error = error;
    }
  }

  override render() {
    const [mode, name] = this.args;
    if (mode === 'new' || mode === 'edit') return this.editor(mode === 'edit' ? name : undefined);
    return this.list();
  }

  protected override updated() {
    if (this.querySelector('form.badge-form')) this.schedulePreview();
  }

  // ---------------------------------------------------------------------------------------- list

  private list() {
    const manage = state.can('manage_badges');
    const q = this.filter.toLowerCase();
    const shown = (this.badges ?? []).filter((b) => !q || [b.name, b.title, b.description, ...(Array.isArray(b.tags) ? b.tags : [])].some((v) => typeof v === 'string' && v.toLowerCase().includes(q)));
    return html`${pageHeader(
        'Badges',
        'What members can earn: how each looks, who may earn it and when.',
        manage ? html`<a class="btn btn-primary" href=${href('badges', 'new')}>New badge</a>` : nothing,
      )}
      ${this.error ? errorBlock(this.error, () => this.load()) : nothing}
      ${this.badges === null
        ? loadingBlock('Loading the badges')
        : html`<div class="box">
            <div class="box-header">
              <label class="field grow"
                ><span class="visually-hidden">Filter badges</span
                ><input type="search" placeholder="Filter by name, title, description or tag" .value=${this.filter} @input=${(e: Event) => (this.filter = (e.target as HTMLInputElement).value)}
              /></label>
              <span class="muted">${formatNumber(shown.length)} of ${formatNumber(this.badges.length)}</span>
            </div>
            ${this.badges.length === 0
              ? html`<p class="empty">No badges yet.${manage ? html` <a href=${href('badges', 'new')}>Create the first one</a>.` : nothing}</p>`
              : html`<div class="table-scroll">
                  <table class="data">
                    <thead>
                      <tr>
                        <th scope="col">Badge</th>
                        <th scope="col" class="hide-narrow">Tier</th>
                        <th scope="col" class="num">Awarded</th>
                        <th scope="col" class="hide-narrow">Last awarded</th>
                        ${manage ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : nothing}
                      </tr>
                    </thead>
                    <tbody>
                      ${shown.map((b) => this.row(b, manage))}
                    </tbody>
                  </table>
                </div>`}
          </div>`}`;
  }

  private row(b: Badge, manage: boolean) {
    const disabled = b.is_enabled === false;
    return html`<tr>
      <th scope="row">
        <div class="cell-main">
          ${badgeArt(b)}
          <span
            >${manage ? html`<a href=${href('badges', 'edit', b.name)}>${b.title ?? b.name}</a>` : (b.title ?? b.name)}
            ${b.title ? html`<code>${b.name}</code>` : nothing} ${disabled ? html`<span class="label label-warn">disabled</span>` : nothing}
            ${typeof b.description === 'string' ? html`<span class="sub">${b.description}</span>` : nothing}
            ${Array.isArray(b.tags) && b.tags.length ? html`<span class="labels">${b.tags.map((t) => html`<span class="label">${t}</span>`)}</span>` : nothing}</span
          >
        </div>
      </th>
      <td class="hide-narrow">${typeof b.type === 'string' ? html`<span class="label">${b.type}</span>` : html`<span class="muted">—</span>`}</td>
      <td class="num">${formatNumber(b.count)}</td>
      <td class="hide-narrow">${b.latest ? ago(b.latest) : html`<span class="muted">never</span>`}</td>
      ${manage
        ? html`<td class="actions-cell">
            <a class="btn btn-small" href=${href('badges', 'edit', b.name)} aria-label=${`Edit ${b.name}`}>Edit</a>
            <button class="btn btn-small btn-danger" @click=${() => this.deleteBadge(b)} aria-label=${`Delete ${b.name}`}>Delete</button>
          </td>`
        : nothing}
    </tr>`;
  }

  /** Deletes after a confirmation that says what goes with the badge. */
  private async deleteBadge(b: Badge) {
    const what: TemplateResult[] = [html`<li>It is taken from everyone who holds it: awarded ${formatNumber(b.count)} times${b.latest ? html`, last on ${formatDate(b.latest)}` : nothing}.</li>`];
    what.push(html`<li>Progress members made toward it is removed.</li>`);
    const extras = await Promise.allSettled([
      state.can('service') ? state.api.get<{ rules: { id: string; badge: string; badges?: string[] }[] }>('rules.json') : Promise.reject(),
      state.can('read_private') ? state.api.get<{ codes: { state: string }[] }>(`badges/${encodeURIComponent(b.name)}/claim-codes.json`, { page_size: 1000 }) : Promise.reject(),
    ]);
    const [rules, codes] = extras;
    if (rules.status === 'fulfilled') {
      const awarding = rules.value.rules.filter((r) => r.badge === b.name);
      const needing = rules.value.rules.filter((r) => r.badges?.includes(b.name));
      if (awarding.length) what.push(html`<li>Rules that award it stay but award nothing: ${awarding.map((r) => html`<code>${r.id}</code> `)}</li>`);
      if (needing.length) what.push(html`<li>Rules that need it can no longer be met: ${needing.map((r) => html`<code>${r.id}</code> `)}</li>`);
    }
    if (codes.status === 'fulfilled') {
      const active = codes.value.codes.filter((c) => c.state === 'active').length;
      if (active) what.push(html`<li>${formatNumber(active)} active claim codes stop working.</li>`);
    }
    const ok = await confirmDialog({
      title: `Delete the badge ${b.name}?`,
      body: html`<p>This cannot be undone.</p>
        <ul>
          ${what}
        </ul>`,
      confirm: 'Delete this badge',
      danger: true,
      typeToConfirm: b.name,
    });
    if (!ok) return;
    const done = await attempt(() => state.api.delete('badges.json', { badges: [b.name] }), `The badge ${b.name} was deleted`);
    if (done !== undefined) {
      this.badges = (this.badges ?? []).filter((x) => x.name !== b.name);
      if (this.args[0] === 'edit') go('badges');
    }
  }

  // ---------------------------------------------------------------------------------------- editor

  private editor(name?: string) {
    if (!state.can('manage_badges')) return html`${pageHeader('Badges', 'The key you signed in with may not change badges.')}`;
    if (this.badges === null) return this.error ? errorBlock(this.error, () => this.load()) : loadingBlock('Loading the badge');
    const badge = name ? this.badges.find((b) => b.name === name) : undefined;
    if (name && !badge) return html`${pageHeader('Badge not found', html`There is no badge <code>${name}</code>. <a href=${href('badges')}>All badges</a>`)}`;
    const f = (badge ?? {}) as Record<string, JsonValue | undefined>;
    const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
    const frequency = (f.frequency ?? {}) as Record<string, JsonValue>;
    const others = Object.fromEntries(Object.entries(f).filter(([k]) => !FORM_FIELDS.includes(k) && !SERVER_FIELDS.includes(k)));
    const tierOptions = ['', ...TIERS, ...(typeof f.type === 'string' && f.type && !TIERS.includes(f.type) ? [f.type] : [])];
    return html`<p class="breadcrumb"><a href=${href('badges')}>Badges</a> / ${badge ? badge.name : 'New'}</p>
      ${pageHeader(badge ? `Edit ${badge.title ?? badge.name}` : 'New badge', badge ? html`Awarded ${formatNumber(badge.count)} times. Changes show on every page at once.` : 'Describe what the badge is for and how it looks; the preview shows it as members will see it.')}
      <div class="editor">
        <form class="badge-form stack" novalidate @submit=${(e: SubmitEvent) => this.save(e, badge)} @input=${() => this.schedulePreview()} @change=${() => this.schedulePreview()}>
          <section class="box" aria-labelledby="b-basics">
            <div class="box-header"><h2 id="b-basics">Basics</h2></div>
            <div class="box-body form-grid">
              ${badge
                ? html`<div class="field"><span class="field-label">Name</span><code>${badge.name}</code><small class="hint">The name the API and the widget use; it cannot change.</small></div>`
                : fieldBlock('f-name', 'Name', html`<input id="f-name" aria-describedby="f-name-hint" name="name" required maxlength="100" autocomplete="off" spellcheck="false" placeholder="e.g. first-answer" />`, 'Used by the API and in URLs: it cannot change later.')}
              ${fieldBlock('f-title', optional('Title'), html`<input id="f-title" aria-describedby="f-title-hint" name="title" maxlength="200" .value=${str(f.title)} placeholder="e.g. First answer" />`, 'What members see; the name when empty.')}
              ${fieldBlock('f-description', optional('Description'), html`<textarea id="f-description" name="description" rows="3" .value=${str(f.description)} placeholder="What a member did to earn it"></textarea>`, undefined, 'wide')}
              ${fieldBlock(
                'f-type',
                'Tier',
                html`<select id="f-type" name="type" aria-describedby="f-type-hint">
                  ${tierOptions.map((t) => html`<option value=${t} ?selected=${str(f.type) === t}>${t ? t[0]!.toUpperCase() + t.slice(1) : 'None'}</option>`)}
                </select>`,
                'Drawn as a star, a diamond or a disc when the badge has no image.',
              )}
              ${fieldBlock('f-tags', optional('Tags'), html`<input id="f-tags" aria-describedby="f-tags-hint" name="tags" .value=${Array.isArray(f.tags) ? f.tags.join(', ') : ''} placeholder="e.g. community, writing" />`, 'Separated by commas; sites can show badges of some tags only.')}
              ${fieldBlock(
                'f-image',
                optional('Image URL'),
                html`<span class="image-field">
                  ${typeof f.image === 'string' ? html`<img src=${f.image} alt="" />` : nothing}
                  <input id="f-image" aria-describedby="f-image-hint" name="image" inputmode="url" .value=${str(f.image)} placeholder="https://example.org/badges/first-answer.svg" />
                </span>`,
                "An https URL, or a path on your site such as /img/badge.svg. Without one, the tier's mark is shown.",
                'wide',
              )}
              ${fieldBlock('f-link', optional('Link'), html`<input id="f-link" aria-describedby="f-link-hint" name="link" .value=${str(f.link)} placeholder="/badges/first-answer" />`, 'Where the badge leads when clicked: a page that explains it.', 'wide')}
            </div>
          </section>

          <section class="box" aria-labelledby="b-earning">
            <div class="box-header"><div><h2 id="b-earning">Earning</h2><p>Who may earn it, how often.</p></div></div>
            <div class="box-body form-grid">
              ${checkBlock('f-is_enabled', 'is_enabled', 'Enabled', 'A disabled badge is not awarded; members who hold it keep it.', f.is_enabled !== false)}
              ${checkBlock('f-unique', 'unique', 'Once per member', 'Awarded again, it stays at one.', f.unique === true)}
              ${fieldBlock('f-goal', optional('Goal'), html`<input id="f-goal" aria-describedby="f-goal-hint" name="goal" type="number" min="0" step="any" inputmode="decimal" .value=${str(f.goal)} placeholder="e.g. 10" />`, 'A progress target: reaching it awards the badge, and the widget shows a progress bar.')}
              ${fieldBlock('f-freq_max', optional('At most, ever'), html`<input id="f-freq_max" aria-describedby="f-freq_max-hint" name="freq_max" type="number" min="1" step="1" inputmode="numeric" .value=${str(frequency.freq_max)} placeholder="no limit" />`, 'Awards one member may hold.')}
              <fieldset class="wide" aria-describedby="f-cap-hint">
                <legend>Frequency cap <span class="optional muted">(optional)</span></legend>
                <div class="form-grid">
                  <label class="field"
                    ><span class="visually-hidden">Awards per period</span
                    ><input name="freq_cap" type="number" min="1" step="1" inputmode="numeric" .value=${str(frequency.freq_cap)} placeholder="e.g. 1"
                  /></label>
                  <label class="field"
                    ><span class="visually-hidden">Period</span>
                    <select name="freq_period">
                      <option value="">per …</option>
                      ${PERIODS.map((p) => html`<option value=${p} ?selected=${frequency.freq_period === p}>per ${p}</option>`)}
                    </select></label
                  >
                </div>
                <small class="hint" id="f-cap-hint">At most this many awards to one member per calendar period (UTC).</small>
              </fieldset>
            </div>
          </section>

          <section class="box" aria-labelledby="b-schedule">
            <div class="box-header"><div><h2 id="b-schedule">Schedule</h2><p>Times are in your time zone; leave empty for no limit.</p></div></div>
            <div class="box-body form-grid">
              ${this.dateField('date_start', 'Can be earned from', f)} ${this.dateField('date_end', 'Can be earned until', f)}
              ${this.dateField('display_date_start', 'Shown from', f)} ${this.dateField('display_date_end', 'Shown until', f)}
            </div>
          </section>

          <details class="box">
            <summary class="box-header"><h2>More fields <span class="optional muted">(JSON)</span></h2></summary>
            <div class="box-body">
              ${fieldBlock(
                'f-others',
                'Other fields of the badge',
                html`<textarea id="f-others" aria-describedby="f-others-hint" name="others" class="mono" rows="6" spellcheck="false" .value=${Object.keys(others).length ? JSON.stringify(others, null, 2) : ''} placeholder='{"badge_states": [{"state": "unearned", "description": "Answer a question"}]}'></textarea>`,
                html`Any other field as a JSON object: custom data your site reads, or <code>badge_states</code>. A field left out is removed.`,
              )}
            </div>
          </details>

          ${this.formError ? html`<div class="notice notice-error" role="alert">${this.formError}</div>` : nothing}
          <div class="form-actions">
            <button class="btn btn-primary" ?disabled=${this.saving}>${this.saving ? 'Saving…' : badge ? 'Save changes' : 'Create badge'}</button>
            <a class="btn" href=${href('badges')}>Cancel</a>
            ${badge ? html`<span class="spacer"></span><button type="button" class="btn btn-danger" @click=${() => this.deleteBadge(badge)}>Delete badge</button>` : nothing}
          </div>
        </form>
        <aside class="preview box" aria-labelledby="preview-title">
          <div class="box-header"><div><h2 id="preview-title">Preview</h2><p>The real widget, in each of its themes.</p></div></div>
          <div class="preview-grid">
            ${THEMES.map(
              (theme) => html`<div class="preview-theme">
                <h3>${theme[0]!.toUpperCase() + theme.slice(1)}</h3>
                <div class="preview-stage stage-${theme}">${previewElement(theme)}</div>
              </div>`,
            )}
            <div class="preview-theme">
              <h3>As a card, on a profile</h3>
              <div class="preview-stage stage-light">${previewElement('light', 'grid')}</div>
            </div>
          </div>
        </aside>
      </div>`;
  }

  private dateField(name: string, label: string, f: Record<string, JsonValue | undefined>) {
    return fieldBlock(`f-${name}`, label, html`<input id="f-${name}" name=${name} type="datetime-local" .value=${localFromIso(f[name])} />`);
  }

  /** The fields the form says, as the API takes them: null for a field emptied (it is removed). */
  private fieldsOf(form: HTMLFormElement, badge?: Badge): Record<string, JsonValue> {
    const before = (badge ?? {}) as Record<string, unknown>;
    const out: Record<string, JsonValue> = {};
    const set = (key: string, value: JsonValue | undefined) => {
      if (value !== undefined) out[key] = value;
      else if (before[key] !== undefined) out[key] = null;
    };
    const text = (key: string) => field(form, key) || undefined;
    const num = (key: string) => (field(form, key) === '' ? undefined : Number(field(form, key)));
    set('title', text('title'));
    set('description', text('description'));
    set('link', text('link'));
    set('type', text('type'));
    set('image', text('image'));
    const tags = field(form, 'tags')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    set('tags', tags.length ? [...new Set(tags)] : undefined);
    set('is_enabled', checked(form, 'is_enabled') ? (before.is_enabled === undefined ? undefined : true) : false);
    set('unique', checked(form, 'unique') ? true : before.unique === undefined ? undefined : false);
    set('goal', num('goal'));
    const frequency: Record<string, JsonValue> = {};
    if (num('freq_cap') !== undefined) frequency.freq_cap = num('freq_cap')!;
    if (field(form, 'freq_period')) frequency.freq_period = field(form, 'freq_period');
    if (num('freq_max') !== undefined) frequency.freq_max = num('freq_max')!;
    set('frequency', Object.keys(frequency).length ? frequency : undefined);
    for (const key of ['date_start', 'date_end', 'display_date_start', 'display_date_end']) set(key, isoFromLocal(field(form, key)) ?? undefined);
    const othersText = field(form, 'others');
    const others = othersText ? (JSON.parse(othersText) as Record<string, JsonValue>) : {};
    if (typeof others !== 'object' || others === null || Array.isArray(others)) throw new Error('More fields must be a JSON object, like {"field": "value"}');
    for (const key of Object.keys(before)) if (!FORM_FIELDS.includes(key) && !SERVER_FIELDS.includes(key) && !(key in others)) out[key] = null;
    Object.assign(out, others);
    return out;
  }

  /** The draft as the preview shows it: the fields as they would be after saving. */
  private schedulePreview() {
    clearTimeout(this.previewTimer);
    this.previewTimer = setTimeout(() => {
      const form = this.querySelector<HTMLFormElement>('form.badge-form');
      if (!form) return;
      const [, name] = this.args;
      const badge = name ? this.badges?.find((b) => b.name === name) : undefined;
      let fields: Record<string, JsonValue>;
      try {
        fields = this.fieldsOf(form, badge);
      } catch {
        return;
      }
      const merged = { ...(badge ?? {}), ...fields } as Record<string, JsonValue>;
      for (const [k, v] of Object.entries(merged)) if (v === null) delete merged[k];
      const draft = { ...merged, name: badge?.name ?? (field(form, 'name') || 'new-badge'), count: badge?.count ?? 1, latest: badge?.latest ?? null } as Badge;
      const others = (this.badges ?? []).filter((b) => b.name !== draft.name && b.is_enabled !== false).slice(0, 2);
      showDraft(draft, others);
    }, 150);
  }

  private async save(e: SubmitEvent, badge?: Badge) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    this.formError = '';
    const name = badge?.name ?? field(form, 'name');
    if (!name) {
      this.formError = 'A badge needs a name.';
      form.querySelector<HTMLInputElement>('[name=name]')?.focus();
      return;
    }
    let fields: Record<string, JsonValue>;
    try {
      fields = this.fieldsOf(form, badge);
    } catch (error) {
      this.formError = error instanceof SyntaxError ? `More fields is not valid JSON: ${error.message}` : (error as Error).message;
      return;
    }
    if (!badge && this.badges?.some((b) => b.name === name)) {
      this.formError = `There is a badge named ${name} already; edit it instead, or choose another name.`;
      return;
    }
    this.saving = true;
    try {
      const answer = await state.api.put<{ badges: Badge[] }>('badges.json', { badges: [{ name, ...fields }] });
      this.badges = answer.badges.length ? mergeBadges(this.badges ?? [], answer.badges) : this.badges;
      notify(badge ? `Saved ${name}` : `Created the badge ${name}`);
      go('badges');
    } catch (error) {
      this.formError = (error as Error).message;
    } finally {
      this.saving = false;
    }
  }
}

/** The list with the badges a write answered put in (a write answers every badge of the service). */
function mergeBadges(list: Badge[], written: Badge[]): Badge[] {
  const byName = new Map(list.map((b) => [b.name, b]));
  for (const b of written) byName.set(b.name, b);
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

customElements.define('ub-badges-page', BadgesPage);
