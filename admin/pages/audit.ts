import { html } from 'lit';
import { Page, pageHeader } from '../ui.ts';

export class AuditPage extends Page {
  static override properties = { args: { attribute: false } };
  declare args: string[];
  override render() {
    return html`${pageHeader('audit', 'todo')}`;
  }
}
customElements.define('ub-audit-page', AuditPage);
