import { html } from 'lit';
import { Page, pageHeader } from '../ui.ts';

export class InvitationsPage extends Page {
  static override properties = { args: { attribute: false } };
  declare args: string[];
  override render() {
    return html`${pageHeader('invitations', 'todo')}`;
  }
}
customElements.define('ub-invitations-page', InvitationsPage);
