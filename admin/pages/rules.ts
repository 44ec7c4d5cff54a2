import { html } from 'lit';
import { Page, pageHeader } from '../ui.ts';

export class RulesPage extends Page {
  static override properties = { args: { attribute: false } };
  declare args: string[];
  override render() {
    return html`${pageHeader('rules', 'todo')}`;
  }
}
customElements.define('ub-rules-page', RulesPage);
