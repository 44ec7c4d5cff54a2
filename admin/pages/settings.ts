import { html } from 'lit';
import { Page, pageHeader } from '../ui.ts';

export class SettingsPage extends Page {
  static override properties = { args: { attribute: false } };
  declare args: string[];
  override render() {
    return html`${pageHeader('settings', 'todo')}`;
  }
}
customElements.define('ub-settings-page', SettingsPage);
