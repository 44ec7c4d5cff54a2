import { html } from 'lit';
import { Page, pageHeader } from '../ui.ts';

export class MembersPage extends Page {
  static override properties = { args: { attribute: false } };
  declare args: string[];
  override render() {
    return html`${pageHeader('members', 'todo')}`;
  }
}
customElements.define('ub-members-page', MembersPage);
