import type { BadgeInput, BadgeRecord, Item, ServiceRecord, ServiceSettings, UserRecord } from './model.js';
import { SYSTEM, type Actor } from './actor.js';
import type { Acted, Reactor } from './reactor.js';
import { invalid } from './errors.js';
import type { Tx, UnitOfWork } from './ports.js';
import { awardChecked, revoke, type Awarded, type RevokedFor } from './rules/awards.js';
import { deleteBadges, putBadges } from './rules/badges.js';
import { setProgress, type ProgressMade } from './rules/progress.js';
import { setDisplay, type DisplayChoice } from './rules/display.js';
import { restoreBadges, restoreItems, restoreService, restoreUsers } from './rules/restore.js';
import { createService, deleteService, setServiceKey, updateServiceSettings } from './rules/services.js';
import { eraseUser, type Erased } from './people/erase.js';
import { exportUser, type PersonalData } from './people/export.js';
import { renameUser, type Renamed } from './people/rename.js';

const MAX_ROUNDS = 16;

/**
 * Every write of the model, each one unit of work on whatever store runs it. The HTTP routes, the
 * CLI and the seed all write through here, so a rule holds on every path.
 */
export class Domain {
  private readonly reactors: Reactor[] = [];
  /** Whom the units of this Domain run for (see `as`). */
  readonly actor: Actor = SYSTEM;

  /**
   * A bare Domain runs no reactor: the server's is built by `composeDomain` (server/features/), with
   * every feature's reactors, so that a write makes the same activity, audit and webhooks on every
   * path. A bare one is for tests of the core itself.
   */
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Adds a reactor: from now on it sees the events of every unit, inside the unit (see events.ts). */
  react(reactor: Reactor): this {
    this.reactors.push(reactor);
    return this;
  }

  /** This Domain, its units run for `actor`: the same reactors, store and clock. */
  as(actor: Actor): Domain {
    return Object.create(this, { actor: { value: actor, enumerable: true } }) as Domain;
  }

  /**
   * Runs `work` as one unit of work, with the reactors' writes in it. Features' rules run through
   * here too, so they get the same unit and the same reactions.
   */
  run<T>(service: string, work: (tx: Tx) => Promise<T>, users?: readonly string[]): Promise<T> {
    // Units are serialised per service; case-folded, so that two services differing only in case
    // cannot be created at once.
    return this.uow.run(service.toLowerCase(), new Date(this.clock()), async (tx) => {
      const result = await work(tx);
      for (let round = 0; ; round++) {
        const events = tx.takeEvents().map((event): Acted => (event.actor ? (event as Acted) : { ...event, actor: this.actor }));
        if (events.length === 0) break;
        // Reactions that keep causing each other: refused, rather than a unit that never ends.
        if (round === MAX_ROUNDS) throw invalid('reaction_loop', `Reactions to this write did not settle after ${MAX_ROUNDS} rounds; nothing was written`);
        for (const reactor of this.reactors) await reactor(tx, events);
      }
      return result;
    }, users && { service, users });
  }

  createService(name: string, key: string, settings?: ServiceSettings): Promise<ServiceRecord> {
    return this.run(name, (tx) => createService(tx, name, key, settings));
  }
  setServiceKey(name: string, key: string): Promise<ServiceRecord> {
    return this.run(name, (tx) => setServiceKey(tx, name, key));
  }
  updateServiceSettings(name: string, settings: ServiceSettings): Promise<ServiceRecord> {
    return this.run(name, (tx) => updateServiceSettings(tx, name, settings));
  }
  deleteService(name: string): Promise<ServiceRecord> {
    return this.run(name, (tx) => deleteService(tx, name));
  }
  putBadges(service: string, badges: readonly BadgeInput[]): Promise<void> {
    return this.run(service, (tx) => putBadges(tx, service, badges));
  }
  deleteBadges(service: string, names: readonly string[]): Promise<{ absent: string[] }> {
    return this.run(service, (tx) => deleteBadges(tx, service, names));
  }
  /** `at` back-dates the award (the seed, imports); the unit's clock otherwise. */
  award(service: string, user: string, badges: readonly string[], at?: Date): Promise<Awarded> {
    return this.run(service, (tx) => awardChecked(tx, service, user, badges, at), [user]);
  }
  setProgress(service: string, user: string, progress: Readonly<Record<string, number>>): Promise<ProgressMade> {
    return this.run(service, (tx) => setProgress(tx, service, user, progress), [user]);
  }
  revoke(service: string, user: string, badges: readonly string[], revokedFor?: RevokedFor): Promise<{ user: UserRecord | undefined; absent: string[] }> {
    return this.run(service, (tx) => revoke(tx, service, user, badges, revokedFor), [user]);
  }

  setDisplay(service: string, user: string, choice: DisplayChoice): Promise<UserRecord> {
    return this.run(service, (tx) => setDisplay(tx, service, user, choice));
  }

  /** Everything the service holds of a person, read in one unit (core/people/). */
  exportUser(service: string, name: string): Promise<PersonalData> {
    return this.run(service, (tx) => exportUser(tx, service, name, tx.now));
  }
  eraseUser(service: string, name: string): Promise<Erased> {
    return this.run(service, (tx) => eraseUser(tx, service, name));
  }
  renameUser(service: string, from: string, to: string): Promise<Renamed> {
    return this.run(service, (tx) => renameUser(tx, service, from, to));
  }

  /** Exported records, as they were, under a hidden name (see rules/restore.ts). */
  restoreService(record: ServiceRecord, under: string): Promise<void> {
    return this.run(under, (tx) => restoreService(tx, record, under));
  }
  restoreBadges(service: string, badges: readonly BadgeRecord[]): Promise<void> {
    return this.run(service, (tx) => restoreBadges(tx, service, badges));
  }
  restoreUsers(service: string, users: readonly UserRecord[]): Promise<void> {
    return this.run(service, (tx) => restoreUsers(tx, service, users));
  }
  restoreItems(service: string, items: readonly Item[]): Promise<void> {
    return this.run(service, (tx) => restoreItems(tx, service, items));
  }
}
