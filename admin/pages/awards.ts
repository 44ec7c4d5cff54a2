import { html } from 'lit';
import { Page, pageHeader } from '../ui.ts';

export class AwardsPage extends Page {
  static override properties = { args: { attribute: false } };
  declare args: string[];
  override render() {
    return html`${pageHeader('awards', 'todo')}`;
  }
}
customElements.define('ub-awards-page', AwardsPage);
