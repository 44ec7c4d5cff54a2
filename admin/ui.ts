import { html, LitElement, nothing, render, type TemplateResult } from 'lit';
import { ApiError } from './api.ts';

/**
 * What every page shares: light-DOM elements styled by the console's one stylesheet (styles.css),
 * notices spoken by screen readers, confirmations in a modal `<dialog>`, and formatting.
 */
export class Page extends LitElement {
  /** Rendered into the element itself, so the console's stylesheet applies (and uPlot's). */
  override createRenderRoot() {
    return this;
  }
}

export type NoticeKind = 'success' | 'error' | 'info';
export interface Notice {
  id: number;
  message: string;
  kind: NoticeKind;
}

let noticeId = 0;
/** Shows a notice in the shell's live region (spoken by screen readers), gone after a while. */
export function notify(message: string, kind: NoticeKind = 'success'): void {
  window.dispatchEvent(new CustomEvent<Notice>('ub-notice', { detail: { id: ++noticeId, message, kind } }));
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

/** Runs an action of a form or button: its failure becomes a notice, its success one if a message is given. */
export async function attempt<T>(work: () => Promise<T>, success?: string | ((result: T) => string)): Promise<T | undefined> {
  try {
    const result = await work();
    if (success) notify(typeof success === 'string' ? success : success(result));
    return result;
  } catch (error) {
    notify(errorText(error), 'error');
    return undefined;
  }
}

export interface ConfirmOptions {
  title: string;
  body: TemplateResult | string;
  confirm: string;
  danger?: boolean;
  /** The confirm button stays disabled until this is typed (GitHub's "type the name to delete"). */
  typeToConfirm?: string;
}

/** A modal confirmation; resolves true when confirmed. Focus starts on Cancel for dangerous actions. */
export function confirmDialog(options: ConfirmOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const dialog = document.createElement('dialog');
    dialog.className = 'confirm';
    dialog.setAttribute('aria-labelledby', 'confirm-title');
    document.body.append(dialog);
    let typed = '';
    const close = (value: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    const draw = () =>
      render(
        html`<form method="dialog" @submit=${(e: Event) => (e.preventDefault(), close(true))}>
          <h2 id="confirm-title">${options.title}</h2>
          <div class="confirm-body">${options.body}</div>
          ${options.typeToConfirm
            ? html`<label class="field"
                ><span>Type <strong>${options.typeToConfirm}</strong> to confirm</span>
                <input
                  autocomplete="off"
                  spellcheck="false"
                  @input=${(e: Event) => {
                    typed = (e.target as HTMLInputElement).value;
                    draw();
                  }}
              /></label>`
            : nothing}
          <div class="actions">
            <button type="button" class="btn" data-cancel @click=${() => close(false)}>Cancel</button>
            <button type="submit" class="btn ${options.danger ? 'btn-danger' : 'btn-primary'}" ?disabled=${options.typeToConfirm !== undefined && typed !== options.typeToConfirm}>
              ${options.confirm}
            </button>
          </div>
        </form>`,
        dialog,
      );
    draw();
    dialog.addEventListener('cancel', (e) => (e.preventDefault(), close(false)));
    dialog.showModal();
    const first = options.typeToConfirm ? dialog.querySelector('input') : options.danger ? dialog.querySelector<HTMLElement>('[data-cancel]') : dialog.querySelector<HTMLElement>('[type=submit]');
    first?.focus();
  });
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const relativeTime = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const numbers = new Intl.NumberFormat();

export const formatNumber = (n: number) => numbers.format(n);
export const formatDate = (iso: string | null | undefined) => (iso ? dateTime.format(new Date(iso)) : '—');
export const formatDay = (iso: string | null | undefined) => (iso ? dateOnly.format(new Date(iso)) : '—');

/** "3 minutes ago", in a `<time>` whose title is the full date. */
export function ago(iso: string): TemplateResult {
  const seconds = (Date.parse(iso) - Date.now()) / 1000;
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['year', 31_536_000],
    ['month', 2_592_000],
    ['day', 86_400],
    ['hour', 3600],
    ['minute', 60],
  ];
  const [unit, size] = units.find(([, s]) => Math.abs(seconds) >= s) ?? ['second', 1];
  const text = Math.abs(seconds) < 45 ? 'just now' : relativeTime.format(Math.round(seconds / size), unit);
  return html`<time datetime=${iso} title=${formatDate(iso)}>${text}</time>`;
}

/** A page's heading, its one-line purpose, and its main actions. */
export function pageHeader(title: string, description: string | TemplateResult, actions: TemplateResult | typeof nothing = nothing): TemplateResult {
  return html`<header class="page-header">
    <div>
      <h1 tabindex="-1">${title}</h1>
      <p class="lead">${description}</p>
    </div>
    ${actions === nothing ? nothing : html`<div class="page-actions">${actions}</div>`}
  </header>`;
}

export function loadingBlock(what = 'Loading'): TemplateResult {
  return html`<p class="loading" role="status">${what}…</p>`;
}

export function errorBlock(error: unknown, retry?: () => void): TemplateResult {
  return html`<div class="notice notice-error" role="alert">
    <p>${errorText(error)}</p>
    ${retry ? html`<button class="btn btn-small" @click=${retry}>Try again</button>` : nothing}
  </div>`;
}

/** Saves `blob` as a file, through a link the user's browser downloads. */
export function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = Object.assign(document.createElement('a'), { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** An ISO time from a `datetime-local` input (the browser's zone), or null when empty. */
export function isoFromLocal(value: string): string | null {
  return value ? new Date(value).toISOString() : null;
}

/** A `datetime-local` value of an ISO time, in the browser's zone. */
export function localFromIso(iso: unknown): string {
  if (typeof iso !== 'string' || !iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * A labelled control and its hint: the hint outside the `<label>` (so not part of the control's
 * name) and tied to it by `aria-describedby="<id>-hint"`, which the control carries with `id`.
 */
export function fieldBlock(id: string, label: string | TemplateResult, control: TemplateResult, hint?: string | TemplateResult, className = ''): TemplateResult {
  return html`<div class="field ${className}">
    <label for=${id}>${label}</label>
    ${control} ${hint ? html`<small class="hint" id="${id}-hint">${hint}</small>` : nothing}
  </div>`;
}

/** A checkbox with its label and hint beside it. */
export function checkBlock(id: string, name: string, label: string, hint: string, on: boolean, value = 'on'): TemplateResult {
  return html`<div class="check wide">
    <input type="checkbox" id=${id} name=${name} value=${value} aria-describedby="${id}-hint" .checked=${on} />
    <div><label for=${id}>${label}</label> <small class="hint" id="${id}-hint">${hint}</small></div>
  </div>`;
}

/** A label with "(optional)" after it. */
export const optional = (label: string) => html`${label} <span class="optional">(optional)</span>`;

/** The value of a named control of a form. */
export function field(form: HTMLFormElement, name: string): string {
  const control = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement | null;
  return control?.value.trim() ?? '';
}

export function checked(form: HTMLFormElement, name: string): boolean {
  return (form.elements.namedItem(name) as HTMLInputElement | null)?.checked ?? false;
}

/** The checked values of the checkboxes named `name`. */
export function checkedValues(form: HTMLFormElement, name: string): string[] {
  return [...form.querySelectorAll<HTMLInputElement>(`input[name="${name}"]:checked`)].map((input) => input.value);
}

/** Renders a template into a detached element: for `render` callers outside Lit elements. */
export function renderInto(template: TemplateResult, container: HTMLElement): void {
  render(template, container);
}
