/**
 * A counter per service, bumped by every change to it (and all of them by a change to everything).
 * A cache read that missed takes the version before asking the store and keeps its answer only if
 * the version is the same when the answer comes: otherwise a change arrived meanwhile and the
 * answer may be from before it.
 */
export class ServiceVersions {
  private readonly versions = new Map<string, number>();
  private epoch = 0;

  of(service: string): string {
    return `${this.epoch}.${this.versions.get(service) ?? 0}`;
  }

  bump(service: string): void {
    this.versions.set(service, (this.versions.get(service) ?? 0) + 1);
  }

  bumpAll(): void {
    this.epoch++;
    this.versions.clear();
  }
}
