import { html, nothing } from 'lit';
import type { Stats } from '../../types/console-schema.ts';
import type { PlotSeries } from '../plot.ts';
import { dayLabel } from '../plot.ts';
import { href } from '../router.ts';
import { state } from '../state.ts';
import { errorBlock, formatNumber, Page, pageHeader } from '../ui.ts';

/** How many badges get a line of their own in "awards per day"; the rest are one line. */
const TOP_BADGES = 5;

/**
 * The service at a glance: a few totals, plots of the last days (awards per day and badge, active
 * users, badges per user, webhook deliveries and latency), and the live activity feed. The plots
 * are read again whenever the feed sees something new, so an award shows in both within seconds.
 */
export class OverviewPage extends Page {
  static override properties = { stats: { state: true }, error: { state: true }, days: { state: true }, badgeCount: { state: true } };
  declare stats: Stats | null;
  declare error: unknown;
  declare days: number;
  declare badgeCount: number | null;
  private loading = false;
  private again = false;

  constructor() {
    super();
    this.stats = null;
    this.error = null;
    this.days = 30;
    this.badgeCount = null;
  }

  override connectedCallback() {
    super.connectedCallback();
    this.load();
    state.api.get<{ badges: unknown[] }>('badges.json', { page_size: 1000 }).then((r) => (this.badgeCount = r.badges.length), () => undefined);
  }

  private async load() {
    if (!state.can('read_private')) return;
    // One read at a time; a request made meanwhile reads once more after it.
    if (this.loading) {
      this.again = true;
      return;
    }
    this.loading = true;
    try {
      this.stats = await state.api.get<Stats>('stats.json', { days: this.days });
      this.error = null;
    } catch (error) {
      this.error = error;
    } finally {
      this.loading = false;
      if (this.again) {
        this.again = false;
        this.load();
      }
    }
  }

  override render() {
    const s = this.stats;
    return html`${pageHeader(
        'Overview',
        `How ${state.api.service} is doing: awards, members and deliveries of the last ${this.days} days.`,
        state.can('read_private')
          ? html`<label class="inline-field"
              ><span>Period</span>
              <select
                @change=${(e: Event) => {
                  this.days = Number((e.target as HTMLSelectElement).value);
                  this.load();
                }}
              >
                ${[7, 30, 90].map((d) => html`<option value=${d} ?selected=${d === this.days}>Last ${d} days</option>`)}
              </select></label
            >`
          : nothing,
      )}
      <div class="overview">
        <div class="overview-main">
          ${s ? this.tiles(s) : nothing} ${this.error ? errorBlock(this.error, () => this.load()) : nothing}
          ${state.can('read_private') ? (s ? this.plots(s) : html`<p class="loading" role="status">Loading the figures…</p>`) : html`<p class="notice notice-info">The key you signed in with may not read the figures (it needs <em>read private data</em>).</p>`}
        </div>
        <aside class="overview-side">
          <ub-activity-feed @ub-feed-new=${() => this.load()}></ub-activity-feed>
        </aside>
      </div>`;
  }

  private tiles(s: Stats) {
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const failures = sum(s.webhooks.failures);
    const attempts = sum(s.webhooks.attempts);
    return html`<ul class="tiles" aria-label="Totals">
      <li><a href=${href('badges')}><span class="tile-value">${this.badgeCount === null ? '…' : formatNumber(this.badgeCount)}</span><span class="tile-label">badges</span></a></li>
      <li><a href=${href('members')}><span class="tile-value">${formatNumber(s.users)}</span><span class="tile-label">members</span></a></li>
      <li><span class="tile-value" data-testid="awards-total">${formatNumber(sum(s.awards.total))}</span><span class="tile-label">awards in ${s.days.length} days</span></li>
      <li class=${failures ? 'tile-warn' : ''}>
        <a href=${href('webhooks')}><span class="tile-value">${attempts ? `${Math.round((100 * (attempts - failures)) / attempts)}%` : '—'}</span><span class="tile-label">webhook deliveries succeeded</span></a>
      </li>
    </ul>`;
  }

  private plots(s: Stats) {
    const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
    const badges = Object.entries(s.awards.byBadge).sort(([, a], [, b]) => sum(b) - sum(a));
    const top = badges.slice(0, TOP_BADGES);
    const rest = badges.slice(TOP_BADGES);
    const awardSeries: PlotSeries[] = [
      ...top.map(([name, values]) => ({ label: name, values })),
      ...(rest.length ? [{ label: `${rest.length} other badges`, values: s.days.map((_, i) => sum(rest.map(([, v]) => v[i]!))), color: '--plot-other' }] : []),
    ];
    const peak = (values: number[]) => {
      const max = Math.max(...values);
      return max > 0 ? `, most on ${dayLabel(s.days[values.indexOf(max)]!)} (${formatNumber(max)})` : '';
    };
    const held = s.badgesPerUser;
    const latencyDays = s.webhooks.latencyP50.filter((v) => v !== null).length;
    return html`<div class="plots">
      <ub-plot
        class="plot-wide"
        label="Awards per day"
        summary=${`${formatNumber(sum(s.awards.total))} awards in ${s.days.length} days${peak(s.awards.total)}${top.length ? `; most awarded: ${top.map(([n, v]) => `${n} ${sum(v)}`).join(', ')}` : ''}`}
        .x=${s.days}
        .series=${awardSeries.length ? awardSeries : [{ label: 'Awards', values: s.awards.total }]}
      ></ub-plot>
      <ub-plot
        label="Active members per day"
        summary=${`Members awarded a badge or sending an event${peak(s.activeUsers)}`}
        .x=${s.days}
        .series=${[{ label: 'Active members', values: s.activeUsers, color: '--plot-2' }]}
      ></ub-plot>
      <ub-plot
        label="Badges per member"
        xTitle="Badges held"
        summary=${held.length ? held.map((h) => `${formatNumber(h.users)} with ${h.badges}`).join(', ') : 'No members yet'}
        .x=${held.map((h) => String(h.badges))}
        .series=${[{ label: 'Members', values: held.map((h) => h.users), bars: true, color: '--plot-3' }]}
      ></ub-plot>
      <ub-plot
        label="Webhook deliveries"
        summary=${`${formatNumber(sum(s.webhooks.attempts))} attempts, ${formatNumber(sum(s.webhooks.failures))} failed`}
        .x=${s.days}
        .series=${[
          { label: 'Attempts', values: s.webhooks.attempts, bars: true, color: '--plot-1' },
          { label: 'Failures', values: s.webhooks.failures, bars: true, color: '--plot-danger' },
        ]}
      ></ub-plot>
      <ub-plot
        label="Webhook latency"
        unit="ms"
        summary=${latencyDays ? `Median and 95th percentile per day, in milliseconds; median at most ${Math.max(...s.webhooks.latencyP50.map((v) => v ?? 0))} ms` : 'No deliveries in the period'}
        .x=${s.days}
        .series=${[
          { label: 'Median', values: s.webhooks.latencyP50, color: '--plot-1' },
          { label: '95th percentile', values: s.webhooks.latencyP95, color: '--plot-4' },
        ]}
      ></ub-plot>
    </div>
    ${s.partial ? html`<p class="muted small">The busiest counts read only the newest 200,000 records.</p>` : nothing}`;
  }
}

customElements.define('ub-overview-page', OverviewPage);
