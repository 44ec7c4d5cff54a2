import type { Change, State } from './state.js';
import type { BadgeRecord, ServiceRecord, UserRecord } from './types.js';

/** A record as it was before a change that is not yet durable; `record` undefined: it did not exist. */
type Before =
  | { t: 'service'; name: string; record: ServiceRecord | undefined }
  | { t: 'badge'; s: string; name: string; record: BadgeRecord | undefined; holders: Set<string> | undefined; order?: string[] }
  | { t: 'user'; s: string; name: string; record: UserRecord | undefined };

export interface DurableView {
  user(service: string, name: string): UserRecord | undefined;
  /** The services with their badges, in the order memory holds them. */
  services(): (ServiceRecord & { badges: BadgeRecord[] })[];
}

const keyOf = (b: { t: string; s?: string; name: string }) => `${b.t}\n${b.s ?? ''}\n${b.name}`;

/**
 * The changes applied in memory whose journal write has not succeeded yet, with what each record was
 * before them. Writes are applied in memory at once, so a later write computes from earlier ones
 * still in flight; if the journal then fails, every change not yet durable is taken back, newest
 * first, and memory equals the disk again. (All of them: the journal fails a batch together with
 * every write queued behind it, and refuses new ones until it recovers.)
 *
 * A checkpoint writes only durable records (see `durable`).
 */
export class PendingChanges {
  private readonly entries = new Map<number, Before[]>();
  private next = 0;

  constructor(private readonly state: State) {}

  /** Applies `changes`, remembering what they replace; returns the id to `settle` or take back. */
  apply(changes: Change[], apply: (change: Change) => void): number {
    const befores: Before[] = [];
    const id = this.next++;
    this.entries.set(id, befores);
    for (const change of changes) {
      befores.push(this.before(change));
      apply(change);
    }
    return id;
  }

  /** The changes are durable: nothing to take back any more. */
  settle(id: number): void {
    this.entries.delete(id);
  }

  /** Takes back every change not yet durable, newest first. */
  rollBack(): void {
    const all = [...this.entries.values()];
    this.entries.clear();
    for (const befores of all.reverse()) for (const before of befores.reverse()) this.restore(before);
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Memory as the disk has it: each record as before the oldest change still in flight. Taken in one
   * synchronous step, like the checkpoint's snapshot it serves.
   */
  durable(): DurableView {
    const oldest = new Map<string, Before>();
    for (const befores of this.entries.values()) {
      for (const before of befores) {
        const key = keyOf(before);
        if (!oldest.has(key)) oldest.set(key, before);
      }
    }
    const { state } = this;
    return {
      user(service, name) {
        const before = oldest.get(keyOf({ t: 'user', s: service, name }));
        return before ? (before.record as UserRecord | undefined) : state.services.get(service)?.users.get(name);
      },
      services() {
        const touched = [...oldest.values()];
        const names = new Set([...state.services.keys(), ...touched.filter((b) => b.t === 'service').map((b) => b.name)]);
        const services: (ServiceRecord & { badges: BadgeRecord[] })[] = [];
        for (const name of names) {
          const before = oldest.get(keyOf({ t: 'service', name }));
          const record = before ? (before.record as ServiceRecord | undefined) : state.services.get(name)?.record;
          if (!record) continue;
          const current = state.services.get(name)?.badges ?? new Map<string, BadgeRecord>();
          const badgeNames = new Set([...current.keys(), ...touched.filter((b) => b.t === 'badge' && b.s === name).map((b) => b.name)]);
          const badges: BadgeRecord[] = [];
          for (const badge of badgeNames) {
            const was = oldest.get(keyOf({ t: 'badge', s: name, name: badge }));
            const value = was ? (was.record as BadgeRecord | undefined) : current.get(badge);
            if (value) badges.push(value);
          }
          services.push({ ...record, badges });
        }
        return services;
      },
    };
  }

  /** The records changes in flight touch: a checkpoint that leaves them out keeps them dirty. */
  *touched(): Generator<{ t: 'service' | 'badge' | 'user'; s?: string; name: string }> {
    for (const befores of this.entries.values()) yield* befores;
  }

  private before(change: Change): Before {
    const service = 's' in change ? this.state.services.get(change.s) : undefined;
    switch (change.t) {
      case 'service':
        return { t: 'service', name: change.v.name, record: this.state.services.get(change.v.name)?.record };
      case 'badge':
      case 'badge-': {
        const name = change.t === 'badge' ? change.v.name : change.n;
        const holders = service?.holders.get(name);
        // Badges are listed in the order registered: a deleted one taken back goes back to its place.
        const order = change.t === 'badge-' && service ? [...service.badges.keys()] : undefined;
        return { t: 'badge', s: change.s, name, record: service?.badges.get(name), holders: holders && new Set(holders), order };
      }
      case 'user':
        return { t: 'user', s: change.s, name: change.v.name, record: service?.users.get(change.v.name) };
    }
  }

  private restore(before: Before): void {
    const { state } = this;
    switch (before.t) {
      case 'service':
        if (before.record) state.apply({ t: 'service', v: before.record });
        else state.services.delete(before.name);
        return;
      case 'badge': {
        const service = state.services.get(before.s);
        if (!service) return;
        if (before.record) service.badges.set(before.name, before.record);
        else service.badges.delete(before.name);
        if (before.order) {
          const badges = new Map(service.badges);
          service.badges.clear();
          for (const name of before.order) if (badges.has(name)) service.badges.set(name, badges.get(name)!);
        }
        if (before.holders) service.holders.set(before.name, before.holders);
        else service.holders.delete(before.name);
        return;
      }
      case 'user': {
        const service = state.services.get(before.s);
        if (!service) return;
        if (before.record) {
          state.apply({ t: 'user', s: before.s, v: before.record });
          return;
        }
        const user = service.users.get(before.name);
        for (const award of user?.awards ?? []) service.holders.get(award.badge)?.delete(before.name);
        service.users.delete(before.name);
        // The sorted orders cannot drop an entry; they are rebuilt when next asked for.
        service.sorted.clear();
        return;
      }
    }
  }
}
