/**
 * What every group of figures is given (a `Bench`): the run's options and folder, its processes
 * (each tracked, so that whatever ends the run ends them), a load generator, the PostgreSQL (started
 * when a group first asks), and where figures, notes and raw data go.
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../test/support/serve.js';
import type { Generated } from '../generate.js';
import { startPostgres, transfer, type BenchPostgres, type Transfer } from '../postgres.js';
import { Loader } from './measure.js';
import { fmt, type Figure } from './report.js';
import { startServer, startReference, type StoreTarget } from './servers.js';

export interface BenchOptions {
  /** Seconds per measurement, and of warm-up before it. */
  duration: number;
  warmup: number;
  /** Clients of the main loads, and of the read load that runs during writes. */
  connections: number;
  readConnections: number;
  /** Interleaved slices of the read figure. */
  slices: number;
  quick: boolean;
  /** Which stores the figures that have both measure. */
  lowdb: boolean;
  postgres: boolean;
  /** Server children under --cpu-prof. */
  profile: boolean;
  /** Figure numbers asked for (`--only 1,2`): a group measures only those of its figures. */
  only: ReadonlySet<string>;
}

export class Bench {
  readonly root = ROOT;
  /** The lowdb rows of the figures that have both stores; PostgreSQL's come after them (`pgFigures`). */
  readonly figures: Figure[] = [];
  readonly pgFigures: Figure[] = [];
  readonly notes: string[] = [];
  readonly raw: Record<string, unknown> = {};
  /** Every measurement's background load, for the noise note under the table. */
  readonly noise: { title: string; otherCores: number }[] = [];
  /** Data sets moved to PostgreSQL (figure P0). */
  readonly transfers: Transfer[] = [];
  private readonly children = new Set<ChildProcess>();
  private database: Promise<BenchPostgres> | null = null;
  private started: BenchPostgres | null = null;
  private shared: Loader | null = null;

  constructor(
    readonly options: BenchOptions,
    /** The run's own folder, removed at the end unless --keep. */
    readonly runDir: string,
    readonly profileDir: string | null,
  ) {}

  log(message: string): void {
    console.error(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
  }

  readonly track = <T extends ChildProcess>(child: T): T => {
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  };

  wants(figure: string): boolean {
    return this.options.only.has(figure);
  }

  /**
   * The load generator most figures share. Started when a figure first needs it: one left waiting
   * through a long set-up (the events' data set) lost its channel.
   */
  loader(): Loader {
    return (this.shared ??= new Loader(this));
  }

  /** A load generator of its own, for a load that runs beside another. */
  newLoader(): Loader {
    return new Loader(this);
  }

  /** The built server on a store; profiled with --profile unless a figure must not be (a killed process writes none). */
  startServer(target: StoreTarget, { profile = true, env }: { profile?: boolean; env?: Record<string, string> } = {}) {
    const nodeFlags = profile && this.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${this.profileDir}`] : [];
    return startServer(target, { track: this.track, nodeFlags, env });
  }

  startReference(size: number, koa: boolean) {
    return startReference(this.track, size, koa);
  }

  /** The PostgreSQL of the run: DATABASE_URL, else a throwaway embedded server, started on first use. */
  postgres(): Promise<BenchPostgres> {
    return (this.database ??= startPostgres(join(this.runDir, 'pg'), (m) => this.log(m)).then((pg) => {
      this.started = pg;
      this.raw.postgres = { where: pg.where, version: pg.version, settings: pg.settings, fsync: 'on' };
      return pg;
    }));
  }

  /** Its processes, whose CPU is the work measured, not noise. */
  postgresPids(): number[] {
    return this.started?.pids() ?? [];
  }

  async stopPostgres(): Promise<void> {
    const pg = this.started;
    this.started = null;
    this.database = null;
    await pg?.stop();
  }

  /** A lowdb data set into a fresh database through `user-badges export` and `import`, timed (figure P0). */
  async moveToPostgres(data: Generated, name: string, users: number): Promise<string> {
    const database = await (await this.postgres()).createDatabase(name);
    this.log(`moving ${fmt(users)} users to PostgreSQL: user-badges export, then import --database`);
    const moved = await transfer(this.root, data.file, database, join(this.runDir, `${name}.jsonl`), users);
    this.log(`  export ${fmt(moved.exportMs)} ms, import ${fmt(moved.importMs)} ms (${fmt(moved.fileMB, 1)} MB of JSON Lines)`);
    this.transfers.push(moved);
    return database;
  }

  /** Ends what is left; for process exit, so nothing here may wait. */
  cleanup(keep: boolean): void {
    this.started?.stopNow();
    for (const child of this.children) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
    if (!keep) rmSync(this.runDir, { recursive: true, force: true });
  }

  closeLoader(): void {
    this.shared?.close();
    this.shared = null;
  }
}
