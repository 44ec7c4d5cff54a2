import { html, nothing, type PropertyValues } from 'lit';
import uPlot from 'uplot';
import { formatNumber, Page } from './ui.ts';

/** One line (or bar series) of a plot. */
export interface PlotSeries {
  label: string;
  values: (number | null)[];
  /** A colour of the palette (`--plot-1` ... `--plot-6`, `--plot-danger`), read from the stylesheet. */
  color?: string;
  /** Bars instead of a line. */
  bars?: boolean;
  /** On the right-hand axis (a second unit: milliseconds beside counts). */
  right?: boolean;
}

/**
 * A small plot (uPlot: a canvas, about 20 KB gzipped, fast with thousands of points) with its
 * numbers as a table: a button switches between the two, the canvas carries a text summary for
 * screen readers, and the table is the accessible view of every value. Colours come from the
 * stylesheet's custom properties, so the plot follows the light and dark themes.
 *
 * `x` is the labels of the x axis: days (`2026-12-01`, drawn as dates) or categories (drawn as they are).
 */
export class UbPlot extends Page {
  static override properties = {
    label: {},
    summary: {},
    x: { attribute: false },
    series: { attribute: false },
    unit: {},
    rightUnit: {},
    xTitle: {},
    showTable: { state: true },
  };
  declare label: string;
  declare summary: string;
  declare x: string[];
  declare series: PlotSeries[];
  declare unit: string;
  declare rightUnit: string;
  declare xTitle: string;
  declare showTable: boolean;
  private chart?: uPlot;
  private resize?: ResizeObserver;
  private themeWatch?: MutationObserver;
  private media = matchMedia('(prefers-color-scheme: dark)');
  private redrawTheme = () => this.draw(true);

  constructor() {
    super();
    this.label = '';
    this.summary = '';
    this.x = [];
    this.series = [];
    this.unit = '';
    this.rightUnit = '';
    this.xTitle = '';
    this.showTable = false;
  }

  private get days(): boolean {
    return this.x.length > 0 && /^\d{4}-\d{2}-\d{2}$/.test(this.x[0]!);
  }

  override connectedCallback() {
    super.connectedCallback();
    this.themeWatch = new MutationObserver(this.redrawTheme);
    this.themeWatch.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    this.media.addEventListener('change', this.redrawTheme);
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    this.chart?.destroy();
    this.chart = undefined;
    this.resize?.disconnect();
    this.themeWatch?.disconnect();
    this.media.removeEventListener('change', this.redrawTheme);
  }

  override render() {
    const id = `plot-${this.label.replace(/\W+/g, '-').toLowerCase()}`;
    return html`<figure class="plot" aria-labelledby="${id}-title">
      <figcaption>
        <h2 id="${id}-title">${this.label}</h2>
        <button class="btn btn-small btn-quiet" aria-pressed=${String(this.showTable)} @click=${() => (this.showTable = !this.showTable)}>
          ${this.showTable ? 'Show plot' : 'Show table'}
        </button>
      </figcaption>
      <div class="plot-canvas" role="img" aria-label=${`${this.label}: ${this.summary}`} ?hidden=${this.showTable}></div>
      ${this.showTable ? this.table(id) : nothing}
    </figure>`;
  }

  private table(id: string) {
    const rows = this.x.map((x, i) => ({ x, values: this.series.map((s) => s.values[i] ?? null) }));
    return html`<div class="table-scroll" tabindex="0" role="region" aria-labelledby="${id}-title">
      <table class="data plot-table">
        <caption class="visually-hidden">${this.label}</caption>
        <thead>
          <tr>
            <th scope="col">${this.xTitle || (this.days ? 'Day' : '')}</th>
            ${this.series.map((s) => html`<th scope="col" class="num">${s.label}${s.right && this.rightUnit ? ` (${this.rightUnit})` : !s.right && this.unit ? ` (${this.unit})` : ''}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (row) => html`<tr>
              <th scope="row">${this.days ? dayLabel(row.x) : row.x}</th>
              ${row.values.map((v) => html`<td class="num">${v === null ? '—' : formatNumber(v)}</td>`)}
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  protected override updated(changed: PropertyValues) {
    if (changed.has('x') || changed.has('series')) this.draw(false);
    if (changed.has('showTable') && !this.showTable) this.draw(true);
  }

  /** Draws the chart anew (`rebuild`: its colours or shape changed), or gives it the new data. */
  private draw(rebuild: boolean) {
    const holder = this.querySelector<HTMLElement>('.plot-canvas');
    if (!holder || this.showTable) return;
    const xs = this.days ? this.x.map((d) => Date.parse(d + 'T00:00:00Z') / 1000) : this.x.map((_, i) => i);
    const data = [xs, ...this.series.map((s) => s.values)] as uPlot.AlignedData;
    const shape = this.series.map((s) => s.label).join('\n');
    if (this.chart && !rebuild && this.chart.series.length === this.series.length + 1 && (this.chart as unknown as { shape: string }).shape === shape) {
      this.chart.setData(data);
      return;
    }
    this.chart?.destroy();
    const color = (name: string | undefined, i: number) => resolveColor(holder, name ?? `--plot-${(i % 6) + 1}`);
    const ink = resolveColor(holder, '--muted');
    const grid = resolveColor(holder, '--border-muted');
    const axis = (side?: number, unit?: string): uPlot.Axis => ({
      stroke: ink,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 },
      font: '12px system-ui, sans-serif',
      ...(side !== undefined ? { side, scale: 'right', grid: { show: false } } : {}),
      values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? formatNumber(t) + (unit ?? '') : '')),
      size: 48,
    });
    const categories = this.x;
    const options: uPlot.Options = {
      width: Math.max(240, holder.clientWidth),
      height: 200,
      legend: { show: this.series.length > 1, live: false },
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      scales: { x: { time: this.days }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] }, right: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      axes: [
        this.days
          ? { stroke: ink, grid: { show: false }, ticks: { stroke: grid }, font: '12px system-ui, sans-serif' }
          : { stroke: ink, grid: { show: false }, ticks: { stroke: grid }, font: '12px system-ui, sans-serif', values: (_u, ticks) => ticks.map((t) => categories[t] ?? '') },
        axis(),
        ...(this.series.some((s) => s.right) ? [axis(1, this.rightUnit ? ` ${this.rightUnit}` : '')] : []),
      ],
      series: [
        {},
        ...this.series.map((s, i) => {
          const c = color(s.color, i);
          return {
            label: s.label,
            stroke: c,
            width: s.bars ? 0 : 2,
            fill: s.bars ? c : undefined,
            scale: s.right ? 'right' : 'y',
            points: { show: !s.bars && this.x.length <= 14 },
            spanGaps: false,
            ...(s.bars ? { paths: uPlot.paths.bars!({ size: [0.7, 40], align: 0 }) } : {}),
          } satisfies uPlot.Series;
        }),
      ],
    };
    this.chart = Object.assign(new uPlot(options, data, holder), { shape });
    this.resize ??= new ResizeObserver(() => {
      const width = Math.max(240, holder.clientWidth);
      if (this.chart && Math.abs(this.chart.width - width) > 2) this.chart.setSize({ width, height: 200 });
    });
    this.resize.observe(holder);
  }
}

/**
 * The colour a custom property holds, resolved (the stylesheet's `light-dark()` picked for the
 * scheme in force), as a canvas takes it: through a probe element's computed colour.
 */
function resolveColor(where: HTMLElement, property: string): string {
  const probe = document.createElement('span');
  probe.style.color = `var(${property})`;
  where.append(probe);
  const color = getComputedStyle(probe).color;
  probe.remove();
  return color;
}

const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
export const dayLabel = (day: string) => dayFormat.format(new Date(day + 'T00:00:00Z'));

customElements.define('ub-plot', UbPlot);
