import type { Redis } from 'ioredis';
import { InfrastructureError } from '../core/errors.js';
import type { CacheEventEmitter } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { CircuitBreaker, type BreakerStatus } from './circuit-breaker.js';
import { isCluster, reconnectDelay } from './connection.js';
import { OutageJournal } from './outage-journal.js';
import { isProgrammingError, isRejection, withDeadline } from './failures.js';
import { CommandDeadline } from './command-deadline.js';
import type { RemoteTierOptions } from './remote-tier-options.js';
import { IdleProbe } from './idle-probe.js';
import { InFlightGauge } from './in-flight.js';
import { OutageLog } from './outage-log.js';
import { FAILED, REJECTED, type Failed, type Rejected, type TierCommand } from './tier-command.js';

export { FAILED, REJECTED, type Failed, type Rejected, type TierCommand } from './tier-command.js';

export type RemoteStatus = 'connected' | 'disconnected' | 'unavailable';

/** While degraded, Redis is probed at least this often, so a thawed server is used again within it. */
const MAX_PROBE_INTERVAL_MS = 250;
/** The errors announced for calls refused while Redis is away, one per reason. */
const REFUSALS: Record<string, Error> = {};
/** Replay passes before leaving degraded mode (each replays what the previous one let accumulate). */
const MAX_REPLAY_PASSES = 3;

/**
 * The one place that decides what a Redis failure means (DESIGN §5): every command goes through `run`,
 * which answers `FAILED` instead of throwing, logs once per outage, announces `degraded` and `connected`,
 * and remembers what was written or removed while Redis was away. When Redis is back, those keys and
 * patterns are removed from it, so a value replaced or deleted during the outage cannot resurface.
 */
export class RemoteTier {
  readonly #client: Redis;
  readonly #events: CacheEventEmitter;
  readonly #logger: Logger;
  readonly #breaker: CircuitBreaker | undefined;
  readonly #cluster: boolean;
  #degraded = false;
  #everConnected = false;
  #recovering: Promise<void> | undefined;
  #probeTimer: NodeJS.Timeout | undefined;
  /** PINGs a connected Redis that answered nothing for `probeInterval`. */
  readonly #idleProbe: IdleProbe;
  #detached = false;
  readonly #onRecovered: ((changed: boolean) => void) | undefined;
  readonly #connectTimeout: number;
  readonly #strict: boolean;
  readonly #commandTimeout: number;
  /** Sends commands bounded from the call (one timer for all of them). */
  readonly #deadlines: CommandDeadline;
  /** The first connection, started by the first command when nobody called `connect()`. */
  #lazyConnect: Promise<boolean> | undefined;
  /** What changed while Redis was away, replayed on it when it returns. */
  readonly #journal: OutageJournal;
  readonly #onReady = (): void => {
    // A new connection: whatever tripped the breaker (the old one closing) is over.
    this.#breaker?.success();
    this.#lastError = undefined; // a good connection: earlier connection errors are history
    this.#idleProbe.answered();
    this.#startIdleProbe();
    void this.#recover();
  };
  readonly #onClose = (): void => {
    if (this.#everConnected) this.#breaker?.trip();
    this.#markDegraded('connection closed');
  };
  #lastError: string | undefined;
  #degradedReason: string | undefined;
  readonly #onError = (error: Error): void => {
    this.#lastError = error.message;
    this.#logger.debug({ err: error.message }, 'redis connection error');
  };

  /**
   * Why Redis is away: the last connection error ioredis reported since the last good connection (e.g.
   * `connect ECONNREFUSED 127.0.0.1:6390`), else the failure that degraded the tier (a command timeout).
   */
  /** The bound of one command (or one batch of them), whatever the client's own setting. */
  get commandTimeout(): number {
    return this.#commandTimeout;
  }

  get lastError(): string | undefined {
    return this.#lastError ?? (this.#degraded ? this.#degradedReason : undefined);
  }

  readonly #inFlight = new InFlightGauge();
  readonly #outageLog: OutageLog;
  readonly #adaptivePipelining: boolean;

  /**
   * `adaptivePipelining`: batch commands (ioredis auto-pipelining) only under concurrency: while another
   * command is in flight, or when the last busy period had several. Auto-pipelining defers each batch to
   * `setImmediate`, which costs a lone request latency but pays off under concurrency. A command is sent
   * directly only when nothing is queued, so the order of commands is kept.
   */
  constructor(client: Redis, events: CacheEventEmitter, logger: Logger, options: RemoteTierOptions = {}) {
    const {
      adaptivePipelining = false,
      breaker,
      onRecovered,
      connectTimeout = 2000,
      strict = false,
      commandTimeout = 500,
      probeInterval = 1000,
    } = options;
    this.#idleProbe = new IdleProbe(
      probeInterval,
      () => !this.#degraded && this.usable && this.#inFlight.count === 0,
      () =>
        void this.attempt('ping', (c) => withDeadline(c.ping(), this.#commandTimeout)).catch(() => undefined),
    );
    this.#strict = strict;
    this.#commandTimeout = commandTimeout;
    this.#onRecovered = onRecovered;
    this.#connectTimeout = connectTimeout;
    this.#client = client;
    this.#cluster = isCluster(client);
    this.#deadlines = new CommandDeadline(commandTimeout, client, this.#cluster);
    this.#breaker =
      breaker &&
      new CircuitBreaker(breaker, (status) => {
        // Each cycle is counted into the outage's end line; one line per outage, not per cycle.
        this.#logger.debug({ ...status }, `redis circuit breaker ${status.state}`);
        if (this.#events.has('breaker')) this.#events.emit('breaker', status);
      });
    this.#adaptivePipelining = adaptivePipelining;
    this.#events = events;
    this.#logger = logger;
    this.#journal = new OutageJournal(logger);
    this.#outageLog = new OutageLog(logger);
    client.on('ready', this.#onReady);
    client.on('close', this.#onClose);
    client.on('error', this.#onError);
    if (client.status === 'ready') {
      this.#everConnected = true;
      this.#startIdleProbe();
    }
  }

  /** The ioredis client (for commands that need it directly, always through `run`). */
  get client(): Redis {
    return this.#client;
  }

  /** True when commands can be sent now. */
  get usable(): boolean {
    // After the server closes, ioredis refuses writes before its status leaves 'ready'.
    // (A cluster has no single stream: its status covers its node connections.)
    return this.#client.status === 'ready' && (this.#cluster || this.#client.stream?.writable === true);
  }

  /** The circuit breaker's state; always closed when the breaker is off. */
  get breaker(): BreakerStatus {
    return this.#breaker?.status ?? { state: 'closed', failures: 0, opens: 0 };
  }

  /** `connected` only when commands are sent (not while degraded, waiting for the probe or the replay). */
  get status(): RemoteStatus {
    if (this.usable && !this.#degraded && this.breaker.state !== 'open') return 'connected';
    return this.#everConnected ? 'disconnected' : 'unavailable';
  }

  /**
   * True when commands can be sent now or once the first connection is made (a cache used without
   * `connect()` connects on its first command).
   */
  get reachable(): boolean {
    return this.usable || this.#client.status === 'wait' || this.#lazyConnect !== undefined;
  }

  /**
   * Runs a command; a failure answers `FAILED` (never throws, unless `strict`). Only connection-level
   * failures (closed, timed out, a server that cannot serve now) count against the breaker and degrade
   * the tier; see `attempt`.
   */
  async run<T>(operation: string, command: TierCommand<T>): Promise<T | Failed> {
    const result = await this.attempt(operation, command);
    return result === REJECTED ? FAILED : result;
  }

  /**
   * Runs a command and says how it failed: `FAILED` when Redis could not answer (the tier degrades),
   * `REJECTED` when Redis answered with an error for this command alone (`WRONGTYPE`, `OOM`, a script
   * error): reported as an `error` event, but the connection is fine, so neither the breaker nor the
   * degraded state is touched. A programming error in `command` is thrown, not taken for an outage. With
   * `strict`, every Redis failure is thrown as an `InfrastructureError` instead. `callers`: how many
   * operations the command serves (a WriteBatch's sets), counted as that many in flight, so concurrency
   * served by one pipeline still turns batching on for the next burst.
   */
  async attempt<T>(operation: string, command: TierCommand<T>, callers = 1): Promise<T | Failed | Rejected> {
    if (!this.usable && !(await this.#connectLazily())) {
      this.#markDegraded('redis is not connected');
      return this.#fail(operation, 'redis is not connected');
    }
    // Redis known away: answer at once (from L1) until the probe (every 250 ms at most) finds it again,
    // rather than let each caller wait out its own timeout; one call of a getOrSet pays it, not each step.
    // The breaker counts these, so its state and opens still tell an outage from a blip.
    if (this.#degraded) {
      this.#breaker?.failure();
      return this.#fail(operation, 'redis is away (degraded until the probe answers)');
    }
    if (this.#breaker && !this.#breaker.allow()) return this.#fail(operation, 'the circuit breaker is open');
    // Writes still gathered for one pipeline go first: commands reach the connection in call order.
    this.beforeCommand?.();
    const batched = this.batching;
    if (this.#adaptivePipelining) this.#client.options.enableAutoPipelining = batched;
    this.#inFlight.enter(callers);
    try {
      const result = await this.#deadlines.send(operation, command, batched);
      this.#breaker?.success();
      this.#idleProbe.answered();
      if (this.#degraded) void this.#recover(); // a frozen server can come back without a reconnect
      return result;
    } catch (error) {
      if (isProgrammingError(error)) throw error;
      const err = error instanceof Error ? error : new Error(String(error));
      if (isRejection(err)) return this.rejected(operation, err);
      if (this.#events.has('error'))
        this.#events.emit('error', { kind: 'command', operation, tier: 'redis', error: err });
      this.#breaker?.failure();
      this.#markDegraded(err.message);
      if (this.#strict)
        throw new InfrastructureError(`redis ${operation} failed: ${err.message}`, { cause: err });
      return FAILED;
    } finally {
      this.#inFlight.leave(callers);
    }
  }

  /** A reply error (the connection is fine): announced, `REJECTED`, thrown with `strict`; public for WriteBatch. */
  rejected(operation: string, error: Error): Rejected {
    if (this.#events.has('error'))
      this.#events.emit('error', { kind: 'command', operation, tier: 'redis', error });
    if (this.#strict)
      throw new InfrastructureError(`redis ${operation} failed: ${error.message}`, { cause: error });
    return REJECTED;
  }

  /** Batching now (adaptive pipelining): another command in flight, or several in the last busy period. */
  get batching(): boolean {
    return this.#adaptivePipelining && this.#inFlight.busy;
  }

  /** Runs before any command is sent: TierIO's WriteBatch sends the sets it holds first (call order). */
  beforeCommand: (() => void) | undefined;

  /**
   * `FAILED`, or with `strict` an `InfrastructureError` saying why. Announced as a `connection` error, so
   * calls refused while Redis is away show in error rates (one shared Error per reason: no stack per call).
   */
  #fail(operation: string, reason: string): Failed {
    if (this.#events.has('error')) {
      const error = (REFUSALS[reason] ??= new Error(reason));
      this.#events.emit('error', { kind: 'connection', operation, tier: 'redis', error });
    }
    if (this.#strict) throw new InfrastructureError(`redis ${operation} failed: ${reason}`);
    return FAILED;
  }

  /**
   * Lazy connect: the first command of a cache nobody connected starts the connection and waits for it
   * (up to `connectTimeout`); commands issued meanwhile wait for the same attempt. Afterwards, a client
   * that is not ready is an outage as usual (ioredis keeps reconnecting in the background).
   */
  #connectLazily(): Promise<boolean> | false {
    if (this.#lazyConnect) return this.#lazyConnect;
    if (this.#client.status !== 'wait' || this.#detached) return false;
    this.#lazyConnect = this.waitUntilReady(this.#connectTimeout).finally(() => {
      this.#lazyConnect = undefined;
    });
    return this.#lazyConnect;
  }

  /** Remembers a key whose Redis copy may be stale because a write or delete could not reach Redis. */
  rememberKey(redisKey: string): void {
    this.#journal.rememberKey(redisKey);
  }

  /** Remembers an invalidation (a SCAN MATCH pattern) that could not reach Redis. */
  rememberMatch(match: string): void {
    this.#journal.rememberMatch(match);
  }

  /**
   * Remembers work (e.g. a tag invalidation) to run on Redis when it returns; one task per `id`.
   * `changesData` false: housekeeping (a lock release) that peers need not hear about.
   */
  rememberTask(id: string, task: (client: Redis) => Promise<unknown>, changesData = true): void {
    this.#journal.rememberTask(id, task, changesData);
  }

  /** Waits until Redis is ready, up to `timeoutMs`; starts connecting if nobody has. */
  async waitUntilReady(timeoutMs: number): Promise<boolean> {
    if (this.usable) return true;
    if (this.#client.status === 'wait') this.#client.connect().catch(() => undefined);
    return new Promise<boolean>((resolve) => {
      const done = (ready: boolean): void => {
        clearTimeout(timer);
        this.#client.off('ready', onReady);
        resolve(ready);
      };
      const onReady = (): void => done(true);
      const timer = setTimeout(() => done(this.usable), timeoutMs);
      this.#client.on('ready', onReady);
    });
  }

  /** True once the cache let go of the client (closing): it is not connected again. */
  get detached(): boolean {
    return this.#detached;
  }

  /** Stops listening to the client (it is closed by its owner). */
  detach(): void {
    this.#detached = true;
    clearTimeout(this.#probeTimer);
    this.#idleProbe.stop();
    this.#client.off('ready', this.#onReady);
    this.#client.off('close', this.#onClose);
    this.#client.off('error', this.#onError);
  }

  #markDegraded(reason: string): void {
    if (this.#degraded) return;
    this.#degraded = true;
    this.#degradedReason = reason;
    this.#scheduleProbe(1);
    this.#outageLog.started(this.breaker.opens);
    this.#logger.warn({ reason }, 'redis unavailable: serving from the in-process tier until it returns');
    if (this.#events.has('connection')) this.#events.emit('connection', { status: 'degraded', reason });
  }

  /**
   * While degraded, PINGs with capped backoff. A closed connection comes back through ioredis's own
   * reconnect (and 'ready'); a frozen one keeps its socket, so only a probe notices it answers again.
   */
  #scheduleProbe(attempt: number): void {
    if (this.#probeTimer || this.#detached) return;
    this.#probeTimer = setTimeout(
      () => {
        this.#probeTimer = undefined;
        if (!this.#degraded || this.#detached) return;
        const probe = this.usable
          ? withDeadline(this.#client.ping(), this.#commandTimeout).then(() => this.#recover())
          : Promise.reject(new Error('not ready'));
        probe.catch(() => this.#scheduleProbe(attempt + 1));
      },
      Math.min(reconnectDelay(attempt), MAX_PROBE_INTERVAL_MS),
    );
    this.#probeTimer.unref();
  }

  /** Starts the idle probe once connected (see IdleProbe); never after `detach`. */
  #startIdleProbe(): void {
    if (!this.#detached) this.#idleProbe.start();
  }

  #recover(): Promise<void> {
    this.#recovering ??= this.#recoverOnce().finally(() => (this.#recovering = undefined));
    return this.#recovering;
  }

  /**
   * A first connection is not a recovery: only an instance that was degraded announces `connected` and
   * tells `onRecovered` whether it changed anything while Redis was away (peers then drop their L1).
   */
  async #recoverOnce(): Promise<void> {
    const wasDegraded = this.#degraded;
    this.#everConnected = true;
    // Changes remembered during a replay pass (callers still answered from L1) get another pass, a few
    // at most: under a heavy write load the backlog would otherwise never drain. What is left then is
    // replayed right after leaving degraded mode (a window of one replay for those keys alone).
    for (let pass = 0; pass === 0 || (pass < MAX_REPLAY_PASSES && this.#journal.size > 0); pass++) {
      if (!(await this.#journal.replay(this.#client))) {
        this.#scheduleProbe(1);
        return;
      }
    }
    if (!wasDegraded || !this.usable) return;
    this.#breaker?.success();
    this.#degraded = false;
    this.#outageLog.ended(this.breaker.opens);
    if (this.#events.has('connection')) this.#events.emit('connection', { status: 'connected' });
    const changed = this.#journal.takeChanged();
    if (this.#journal.size > 0) void this.#journal.replay(this.#client);
    this.#onRecovered?.(changed);
  }
}
