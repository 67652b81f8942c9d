import type { Logger } from 'pino';

export interface WorkLoopOptions {
  /** Named in the log lines of failed rounds. */
  name: string;
  log: Logger;
  /**
   * One round of work. True when more may be waiting: the next round starts at once; false waits
   * idleMs (or until wake()). The signal aborts when stop() is called.
   */
  round: (signal: AbortSignal) => Promise<boolean>;
  idleMs: number;
  /** Pause after a round that threw; default five times idleMs. */
  retryMs?: number;
  /** Pause before the first round; default none. */
  firstDelayMs?: number;
  /** Runs once before the first round (a SQLite node gives back the leases its last run left). */
  before?: () => Promise<void>;
  /** Runs once after the last round has ended on stop() (give back leases, close clients). */
  after?: () => Promise<void>;
}

/**
 * The one background loop of Warden: rounds one after another, never two at once, a pause when
 * there is nothing to do, wake() to look again now, and a graceful stop that waits for the round
 * in flight. The mitigation engine, the audit runner, scheduled audits, SNS delivery and the
 * retention pass each run on one.
 */
export class WorkLoop {
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private running: Promise<void> | undefined;
  private started: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private stopped = true;
  /** Set once `before` has run: the first round is scheduled then, not by an early wake(). */
  private ready = false;
  private wanted = false;
  /** Set while a round runs (from its first synchronous step), so a wake from inside it is not lost. */
  private inRound = false;
  private abort = new AbortController();

  constructor(private readonly o: WorkLoopOptions) {}

  /** True from stop() on: a long round checks it between steps. */
  get closing(): boolean {
    return this.stopping !== undefined;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Starts the loop; resolves when `before` has run. */
  start(): Promise<void> {
    if (!this.stopped) return this.started ?? Promise.resolve();
    this.stopped = false;
    this.ready = false;
    this.stopping = undefined;
    this.abort = new AbortController();
    const before = this.o.before?.() ?? Promise.resolve();
    this.started = before
      .catch((e) => this.o.log.warn({ err: (e as Error).message }, `${this.o.name}: start-up step failed`))
      .then(() => {
        this.ready = true;
        this.schedule(this.o.firstDelayMs ?? 0);
      });
    return this.started;
  }

  /** Look for work now; a wake during a round makes the next round start at once. */
  wake(): void {
    if (this.stopped || !this.ready) return;
    if (this.inRound) {
      this.wanted = true;
      return;
    }
    if (!this.immediate) this.schedule(0);
  }

  /** Stops the loop: aborts the signal, waits for the round in flight, then runs `after`. */
  stop(): Promise<void> {
    return (this.stopping ??= (async () => {
      this.stopped = true;
      this.abort.abort();
      this.clearTimers();
      await this.started?.catch(() => undefined);
      this.clearTimers();
      await this.running;
      await this.o.after?.().catch((e) => this.o.log.warn({ err: (e as Error).message }, `${this.o.name}: stop step failed`));
    })());
  }

  private clearTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.clearTimers();
    const go = () => {
      this.timer = undefined;
      this.immediate = undefined;
      this.wanted = false;
      this.inRound = true;
      this.running = Promise.resolve()
        .then(() => this.o.round(this.abort.signal))
        .then(
          (busy) => (busy ? 0 : this.o.idleMs),
          (e) => {
            this.o.log.warn({ err: (e as Error).message }, `${this.o.name}: round failed; retrying`);
            return this.o.retryMs ?? this.o.idleMs * 5;
          },
        )
        .then((next) => {
          this.running = undefined;
          this.inRound = false;
          this.schedule(this.wanted ? 0 : next);
        });
    };
    if (ms === 0) this.immediate = setImmediate(go);
    else this.timer = setTimeout(go, ms);
  }
}
