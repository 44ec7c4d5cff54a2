import type { ItemQuery, Reads } from '../../core/ports.js';

/**
 * Reads that give the event loop back every `sliceMs`. The embedded store answers from memory, so
 * a unit's reads never wait, and a long unit (a batch of events evaluated against many rules) would
 * hold the process until it ends: every read request meanwhile waits too. Units still run one at a
 * time (the store's turn is held across the pauses); queries read durable state, which a pause
 * cannot show half-made.
 */
export class YieldingReads implements Reads {
  private last = performance.now();

  constructor(
    private readonly base: Reads,
    private readonly sliceMs = 2,
  ) {}

  private async breathe(): Promise<void> {
    if (performance.now() - this.last < this.sliceMs) return;
    await new Promise((resolve) => setImmediate(resolve));
    this.last = performance.now();
  }

  async service(name: string) {
    await this.breathe();
    return this.base.service(name);
  }
  async serviceIgnoringCase(name: string) {
    await this.breathe();
    return this.base.serviceIgnoringCase(name);
  }
  async badges(service: string, names: readonly string[]) {
    await this.breathe();
    return this.base.badges(service, names);
  }
  async badgeCount(service: string) {
    await this.breathe();
    return this.base.badgeCount(service);
  }
  async allBadges(service: string) {
    await this.breathe();
    return this.base.allBadges(service);
  }
  async user(service: string, name: string) {
    await this.breathe();
    return this.base.user(service, name);
  }
  async userCount(service: string) {
    await this.breathe();
    return this.base.userCount(service);
  }
  async holders(service: string, badge: string, except?: ReadonlySet<string>) {
    await this.breathe();
    return this.base.holders(service, badge, except);
  }
  async latestAward(service: string, badge: string, except?: ReadonlySet<string>) {
    await this.breathe();
    return this.base.latestAward(service, badge, except);
  }
  async item(service: string, kind: string, id: string) {
    await this.breathe();
    return this.base.item(service, kind, id);
  }
  async items(service: string, kind: string, query?: ItemQuery) {
    await this.breathe();
    return this.base.items(service, kind, query);
  }
  async users(service: string, names: readonly string[]) {
    await this.breathe();
    return this.base.users(service, names);
  }
  async itemsById(service: string, kind: string, ids: readonly string[]) {
    await this.breathe();
    return this.base.itemsById(service, kind, ids);
  }
  async itemsByOwner(service: string, kind: string, owners: readonly string[], range?: Pick<ItemQuery, 'from' | 'to'>) {
    await this.breathe();
    return this.base.itemsByOwner(service, kind, owners, range);
  }
  async itemCount(service: string, kind: string) {
    await this.breathe();
    return this.base.itemCount(service, kind);
  }
  async itemsOfSubjects(service: string, subjects: readonly string[]) {
    await this.breathe();
    return this.base.itemsOfSubjects(service, subjects);
  }
}
