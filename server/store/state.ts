import type { SortKey } from '../../types/api.js';
import { HttpError, badRequest, notFound } from '../errors.js';
import { SortedIndex } from './sorted-index.js';
import type { AwardRecord, BadgeInput, BadgeRecord, Quota, ServiceRecord, ServiceSettings, UserRecord } from './types.js';

/**
 * A change is the unit of the journal: it states the new value of one record, never a delta, so
 * replaying a change that a snapshot already holds is harmless.
 */
export type Change =
  | { t: 'service'; v: ServiceRecord }
  | { t: 'service-'; n: string }
  | { t: 'badge'; s: string; v: BadgeRecord }
  | { t: 'badge-'; s: string; n: string }
  | { t: 'user'; s: string; v: UserRecord };

export interface ServiceState {
  record: ServiceRecord;
  badges: Map<string, BadgeRecord>;
  users: Map<string, UserRecord>;
  /** badge name -> names of the users holding it; keeps revocation and badge deletion off full scans. */
  holders: Map<string, Set<string>>;
  /** User orders for paging, built when first asked for and kept up to date from then on. */
  sorted: Map<SortKey, SortedIndex>;
}

/** The whole database in memory, with the operations that compute changes from requests. */
export class State {
  readonly services = new Map<string, ServiceState>();

  service(name: string): ServiceState {
    const service = this.services.get(name);
    if (!service) throw notFound('service_not_found', `Service "${name}" does not exist`);
    return service;
  }

  apply(change: Change): void {
    switch (change.t) {
      case 'service': {
        const existing = this.services.get(change.v.name);
        if (existing) existing.record = change.v;
        else {
          this.services.set(change.v.name, {
            record: change.v,
            badges: new Map(),
            users: new Map(),
            holders: new Map(),
            sorted: new Map(),
          });
        }
        return;
      }
      case 'service-':
        this.services.delete(change.n);
        return;
      case 'badge':
        this.service(change.s).badges.set(change.v.name, change.v);
        return;
      case 'badge-': {
        const service = this.service(change.s);
        service.badges.delete(change.n);
        service.holders.delete(change.n);
        return;
      }
      case 'user': {
        const service = this.service(change.s);
        const previous = service.users.get(change.v.name);
        for (const award of previous?.awards ?? []) service.holders.get(award.badge)?.delete(change.v.name);
        for (const award of change.v.awards) {
          let holders = service.holders.get(award.badge);
          if (!holders) service.holders.set(award.badge, (holders = new Set()));
          holders.add(change.v.name);
        }
        service.users.set(change.v.name, change.v);
        for (const index of service.sorted.values()) index.update(previous, change.v);
        return;
      }
    }
  }

  createService(name: string, key: string, now: Date, settings: ServiceSettings = {}): Change[] {
    if (this.services.has(name)) {
      throw new HttpError(409, 'service_exists', `Service "${name}" already exists`);
    }
    return [{ t: 'service', v: { name, key, createdAt: now.toISOString(), ...settings } }];
  }

  setServiceKey(name: string, key: string): Change[] {
    return [{ t: 'service', v: { ...this.service(name).record, key } }];
  }

  configureService(name: string, settings: ServiceSettings): Change[] {
    const { legacySignatures } = settings;
    return [{ t: 'service', v: { ...this.service(name).record, ...(legacySignatures === undefined ? {} : { legacySignatures }) } }];
  }

  deleteService(name: string): Change[] {
    this.service(name);
    return [{ t: 'service-', n: name }];
  }

  putBadges(serviceName: string, inputs: BadgeInput[], now: Date, quota?: Quota): Change[] {
    const service = this.service(serviceName);
    if (quota) {
      const total = service.badges.size + new Set(inputs.map((i) => i.name).filter((name) => !service.badges.has(name))).size;
      if (total > quota.badges) throw quotaExceeded(serviceName, `${quota.badges} badges; this request would make ${total}`);
    }
    const merged = new Map<string, BadgeRecord>();
    for (const input of inputs) {
      const base = merged.get(input.name) ??
        service.badges.get(input.name) ?? {
          name: input.name,
          fields: {},
          count: 0,
          latest: null,
          createdAt: now.toISOString(),
        };
      const fields = { ...base.fields };
      for (const [field, value] of Object.entries(input.fields)) {
        if (value === null) delete fields[field];
        else fields[field] = value;
      }
      merged.set(input.name, { ...base, fields });
    }
    return [...merged.values()].map((v) => ({ t: 'badge', s: serviceName, v }));
  }

  /** Names are skipped when not registered (see `absentBadges`): a retried delete succeeds. */
  deleteBadges(serviceName: string, names: string[]): Change[] {
    const service = this.service(serviceName);
    const doomed = new Set(names.filter((name) => service.badges.has(name)));
    const affected = new Set<string>();
    for (const name of doomed) for (const user of service.holders.get(name) ?? []) affected.add(user);
    const changes: Change[] = [];
    for (const userName of affected) {
      const user = service.users.get(userName)!;
      changes.push({ t: 'user', s: serviceName, v: { ...user, awards: user.awards.filter((a) => !doomed.has(a.badge)) } });
    }
    for (const name of doomed) changes.push({ t: 'badge-', s: serviceName, n: name });
    return changes;
  }

  award(serviceName: string, userName: string, badges: string[], now: Date, quota?: Quota): Change[] {
    const service = this.service(serviceName);
    this.requireBadges(service, badges);
    const at = now.toISOString();
    const user = service.users.get(userName);
    if (quota && !user && service.users.size + 1 > quota.users) {
      throw quotaExceeded(serviceName, `${quota.users} users; this request would make ${service.users.size + 1}`);
    }
    const awards = new Map<string, AwardRecord>((user?.awards ?? []).map((a) => [a.badge, a]));
    const perBadge = new Map<string, number>();
    for (const badge of badges) perBadge.set(badge, (perBadge.get(badge) ?? 0) + 1);

    const changes: Change[] = [];
    for (const [badge, times] of perBadge) {
      const held = awards.get(badge);
      awards.set(badge, held ? { ...held, count: held.count + times, latest: later(held.latest, at) } : { badge, count: times, first: at, latest: at });
      const record = service.badges.get(badge)!;
      changes.push({ t: 'badge', s: serviceName, v: { ...record, count: record.count + times, latest: later(record.latest, at) } });
    }
    changes.push({
      t: 'user',
      s: serviceName,
      v: { name: userName, createdAt: user?.createdAt ?? at, awards: [...awards.values()] },
    });
    return changes;
  }

  /** Badges the user does not hold are skipped (see `absentAwards`); an unknown user is left uncreated. */
  revoke(serviceName: string, userName: string, badges: string[]): Change[] {
    const service = this.service(serviceName);
    const user = service.users.get(userName);
    if (!user) return [];
    const taken = new Set(badges);
    const changes: Change[] = [];
    for (const award of user.awards) {
      if (!taken.has(award.badge)) continue;
      const record = service.badges.get(award.badge)!;
      let latest: string | null = null;
      for (const holder of service.holders.get(award.badge) ?? []) {
        if (holder === userName) continue;
        const held = service.users.get(holder)!.awards.find((a) => a.badge === award.badge)!;
        if (latest === null || held.latest > latest) latest = held.latest;
      }
      changes.push({ t: 'badge', s: serviceName, v: { ...record, count: record.count - award.count, latest } });
    }
    changes.push({ t: 'user', s: serviceName, v: { ...user, awards: user.awards.filter((a) => !taken.has(a.badge)) } });
    return changes;
  }

  /** The names that are not registered badges, once each, in the order given. */
  absentBadges(serviceName: string, names: string[]): string[] {
    const badges = this.service(serviceName).badges;
    return [...new Set(names.filter((name) => !badges.has(name)))];
  }

  /** The names of badges the user does not hold (all of them for an unknown user), once each. */
  absentAwards(serviceName: string, userName: string, names: string[]): string[] {
    const held = new Set(this.service(serviceName).users.get(userName)?.awards.map((a) => a.badge));
    return [...new Set(names.filter((name) => !held.has(name)))];
  }

  /** One page of the service's users in `sort` order, and how many users there are. */
  pageOfUsers(service: ServiceState, sort: SortKey, offset: number, limit: number): { users: UserRecord[]; total: number } {
    let index = service.sorted.get(sort);
    if (!index) service.sorted.set(sort, (index = new SortedIndex(sort, service.users.values())));
    return { users: index.slice(offset, limit).map((name) => service.users.get(name)!), total: index.size };
  }

  private requireBadges(service: ServiceState, names: string[]): void {
    const unknown = [...new Set(names.filter((name) => !service.badges.has(name)))];
    if (unknown.length > 0) {
      throw badRequest(
        'unknown_badge',
        `Not registered in service "${service.record.name}": ${unknown.join(', ')}. Register badges with PUT /v1/${service.record.name}/badges.json first.`,
        unknown,
      );
    }
  }
}

const quotaExceeded = (service: string, detail: string) => new HttpError(403, 'quota_exceeded', `Service "${service}" may hold at most ${detail}`);

/** Awards may be back-dated (imports, the demo seed), so `latest` never moves backwards. */
const later = (a: string | null, b: string) => (a !== null && a > b ? a : b);
