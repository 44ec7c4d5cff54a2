import { html } from 'lit';
import { Page, pageHeader } from '../ui.ts';

export class WebhooksPage extends Page {
  static override properties = { args: { attribute: false } };
  declare args: string[];
  override render() {
    return html`${pageHeader('webhooks', 'todo')}`;
  }
}
customElements.define('ub-webhooks-page', WebhooksPage);
