import { html } from 'lit';
import { Page, pageHeader } from '../ui.ts';

export class KeysPage extends Page {
  static override properties = { args: { attribute: false } };
  declare args: string[];
  override render() {
    return html`${pageHeader('keys', 'todo')}`;
  }
}
customElements.define('ub-keys-page', KeysPage);
