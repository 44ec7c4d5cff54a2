import { Api } from './api.ts';
import { clearSession, saveSession, type Session } from './session.ts';
import type { KeyMe } from '../types/console-schema.ts';

export type Operation = 'award' | 'revoke' | 'manage_badges' | 'read_private';
/** What a page or a control needs: an operation of a scoped key, the service's own key, or the operator. */
export type Need = Operation | 'service' | 'operator';

/**
 * The console's one piece of shared state: who is signed in, what their key may do (read from
 * `keys/me.json` at sign-in, so nothing is offered that the key may not do), and the API bound to
 * them. Elements listen for `change` to render again.
 */
class State extends EventTarget {
  session: Session | null = null;
  access: KeyMe | null = null;
  readonly api = new Api(() => this.session);

  get operator(): boolean {
    return this.session?.kind === 'operator';
  }

  /** Whether the signed-in key may do it. */
  can(need: Need): boolean {
    if (need === 'operator') return this.operator;
    if (!this.access) return false;
    if (this.access.kind === 'service') return true;
    return need !== 'service' && this.access.operations.includes(need);
  }

  /** The badges the key may act on; null: all. */
  get badgeScope(): string[] | null {
    return this.access?.badges ?? null;
  }

  /** Signs in with a service's key (or a scoped key): the key must work, and says what it may do. */
  async signInWithKey(service: string, key: string): Promise<void> {
    const session: Session = { kind: 'service', service, key };
    const access = await this.probe(session);
    await this.start(session, access);
  }

  /** Signs in as the operator: the token must list the services. */
  async signInAsOperator(token: string): Promise<void> {
    const session: Session = { kind: 'operator', token };
    await new Api(() => session).admin('GET', 'services');
    await this.start(session, null);
  }

  /** The operator opens a service: its key, read through the admin API, is kept like a signed-in key. */
  async openService(service: string): Promise<void> {
    if (this.session?.kind !== 'operator') return;
    const { key } = await this.api.admin<{ key: string }>('GET', `services/${encodeURIComponent(service)}/key`);
    const session: Session = { ...this.session, service, key };
    await this.start(session, await this.probe(session));
  }

  /** The operator leaves the open service for the list of services. */
  async closeService(): Promise<void> {
    if (this.session?.kind !== 'operator') return;
    await this.start({ kind: 'operator', token: this.session.token }, null);
  }

  /** Resumes a saved session; false when its key no longer works. */
  async resume(session: Session): Promise<boolean> {
    try {
      if (session.kind === 'operator' && !session.service) {
        await this.signInAsOperator(session.token);
        return true;
      }
      await this.start(session, await this.probe(session));
      return true;
    } catch {
      await clearSession();
      return false;
    }
  }

  /** After the service key was rotated: the new key from now on. */
  async replaceKey(key: string): Promise<void> {
    if (!this.session) return;
    const session = { ...this.session, key } as Session;
    await this.start(session, await this.probe(session));
  }

  async signOut(): Promise<void> {
    this.session = null;
    this.access = null;
    await clearSession();
    this.dispatchEvent(new Event('change'));
  }

  /** What the session's key may do; its own API, so that nothing shows it signed in before it is. */
  private probe(session: Session): Promise<KeyMe> {
    return new Api(() => session).get<KeyMe>('keys/me.json');
  }

  private async start(session: Session, access: KeyMe | null): Promise<void> {
    this.session = session;
    this.access = access;
    await saveSession(session);
    this.dispatchEvent(new Event('change'));
  }
}

export const state = new State();
