import { html } from 'lit';
import { Page, pageHeader } from '../ui.ts';

export class ServicesPage extends Page {
  static override properties = { args: { attribute: false } };
  declare args: string[];
  override render() {
    return html`${pageHeader('services', 'todo')}`;
  }
}
customElements.define('ub-services-page', ServicesPage);
customElements.define('ub-transfer-page', class extends ServicesPage {});
