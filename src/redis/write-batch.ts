import { Command, type Redis } from 'ioredis';
import { isRejection, withDeadline } from './failures.js';
import { FAILED, REJECTED, type Failed, type Rejected, type RemoteTier } from './remote-tier.js';

/** One plain value (no tags) on its way to Redis, with the Redis key of its fill lock. */
export interface BatchedWrite {
  key: string;
  redisKey: string;
  lockKey: string;
  payload: Buffer | string;
  /** Milliseconds, 0 = no expiry. */
  ttlMs: number;
}

/** The bus message that tells peers keys were written, sent by the batch in its own pipeline. */
export interface Announcement {
  channel: string;
  text: string;
  /** The PUBLISH was not sent or was refused: peers may have missed the change. */
  failed(): void;
}

/** Builds the announcement of written keys; undefined when there is nobody to tell (no bus, or closed). */
export type Announcer = (keys: readonly string[]) => Announcement | undefined;

/** Stored (`true`), Redis unreachable (`FAILED`), or this write refused by Redis (`REJECTED`). */
export type WriteOutcome = true | Failed | Rejected;

/** A write waiting in the batch; told its outcome through the batch's callbacks. */
export interface BatchEntry {
  readonly write: BatchedWrite;
}

type Reply = [error: Error | null, reply: unknown];

/**
 * Plain `set`s gathered into one write (issue 23): the `DEL` of their fill locks, their `SET`s, the
 * `DEL` again, then one `PUBLISH` naming all their keys, instead of three commands per set. Under
 * concurrency (the remote tier's adaptive pipelining) the sets of one event-loop turn are sent together
 * on `setImmediate`, when ioredis would send its own auto-pipeline; a lone set is sent at once. Call
 * order is kept: the remote tier flushes the batch before any other command (`beforeCommand`), and the
 * batch is written directly only when ioredis holds no auto-pipelined command asked for before it.
 *
 * The lock `DEL`s run before and after the `SET`s, so a fill's fenced store that runs after a `SET`
 * finds its lock gone (docs/resilience.md, "Fenced fills"; see send). An entry is settled once every
 * reply is in, the announcement's included: peers cannot miss a change whose `set` resolved.
 */
export class WriteBatch<E extends BatchEntry> {
  #waiting: E[] = [];
  #scheduled = false;
  /** Set once the bus exists (GenericRedisCache); without it the caller publishes. */
  announcer: Announcer | undefined;

  constructor(
    private readonly remote: RemoteTier,
    /** Each entry's outcome, called synchronously when the pipeline answers (one call per entry). */
    private readonly settled: (entry: E, outcome: WriteOutcome) => void,
    /** A strict cache's thrown failure, for each entry it covers. */
    private readonly failed: (entry: E, error: unknown) => void,
  ) {}

  /** Queues a write: sent at once when the tier is not batching, else on `setImmediate` (or sooner). */
  add(entry: E): void {
    this.#waiting.push(entry);
    if (!this.remote.batching) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#onImmediate);
    }
  }

  readonly #onImmediate = (): void => {
    this.#scheduled = false;
    this.flush();
  };

  /** Sends what is gathered now (issued synchronously; a no-op when nothing waits). */
  flush(): void {
    if (this.#waiting.length === 0) return;
    const batch = this.#waiting;
    this.#waiting = [];
    const announcement = this.announcer?.(batch.map((e) => e.write.key));
    this.remote
      .attempt('set', (c) => send(c, batch, announcement, this.remote.commandTimeout), batch.length)
      .then(
        (replies) => this.#settle(batch, replies, announcement),
        (error: unknown) => {
          // A strict cache: every write of the batch fails as its own attempt would have.
          announcement?.failed();
          for (const entry of batch) this.failed(entry, error);
        },
      );
  }

  #settle(batch: E[], replies: Reply[] | Failed | Rejected, announcement: Announcement | undefined): void {
    if (replies === FAILED || replies === REJECTED) {
      announcement?.failed();
      for (const entry of batch) this.settled(entry, replies);
      return;
    }
    // Replies: DEL, one SET per entry, DEL, PUBLISH (see send).
    const unlocked = (replies[0] as Reply)[0] ?? (replies[batch.length + 1] as Reply)[0];
    const published = announcement && (replies[batch.length + 2] as Reply)[0];
    if (published) {
      // Refused (an ACL…): reported, never thrown, strict caches included (see InvalidationBus.publish).
      announcement.failed();
      try {
        this.remote.rejected('publish', published);
      } catch {
        // strict: the set itself stands
      }
    }
    // A refused lock DEL (an ACL on some lock keys) names no key: the locks are asked one by one, so
    // only the sets whose lock cannot be removed fail.
    if (unlocked) {
      void this.#settleByLock(batch, replies);
      return;
    }
    this.#settleEach(batch, (i) => (replies[i + 1] as Reply)[0]);
  }

  async #settleByLock(batch: E[], replies: Reply[]): Promise<void> {
    const refusals = await this.remote
      .run('set', (c) =>
        Promise.all(
          batch.map(({ write }) =>
            c.del(write.lockKey).then(
              () => null,
              (error: Error) => error,
            ),
          ),
        ),
      )
      .catch((error: unknown) => error);
    if (!Array.isArray(refusals)) {
      // Redis went away meanwhile (or a strict cache threw): the fences of these sets are unknown.
      for (const entry of batch)
        if (refusals === FAILED) this.settled(entry, FAILED);
        else this.failed(entry, refusals);
      return;
    }
    // A lock that could not be removed leaves the fill fence open: that write does not count as done.
    this.#settleEach(batch, (i) => (refusals[i] as Error | null) ?? (replies[i + 1] as Reply)[0]);
  }

  #settleEach(batch: E[], errorOf: (i: number) => Error | null): void {
    for (let i = 0; i < batch.length; i++) {
      const entry = batch[i] as E;
      const error = errorOf(i);
      if (!error) {
        this.settled(entry, true);
        continue;
      }
      let outcome: WriteOutcome;
      try {
        outcome = this.remote.rejected('set', error);
      } catch (thrown) {
        this.failed(entry, thrown);
        continue;
      }
      this.settled(entry, outcome);
    }
  }
}

/**
 * The batch's commands: `DEL` of every lock, the `SET`s, the same `DEL` again, the `PUBLISH`. Written
 * with one socket write when ioredis has nothing queued (sent one by one on a corked socket: a pipeline
 * would cost a promise chain and a copy of its text per command, about 8% of this path); otherwise
 * they join its auto-pipeline behind what was asked for before. Connection-level errors are thrown (the
 * remote tier degrades), reply errors returned, one per command.
 *
 * Why two `DEL`s: the commands are not atomic, so another instance's fill may take a lock between the
 * first `DEL` and a `SET` (the batch spans several reads on the server). It then read the value before
 * the `SET`, and the second `DEL` removes its lock, so its fenced store fails. A fill that slipped in
 * would have to take the lock, read, compute and store, all while this pipeline is being processed: a
 * narrower window than the old `DEL`+`SET` pair per key, where taking the lock and reading sufficed.
 */
async function send(
  client: Redis,
  batch: readonly BatchEntry[],
  announcement: Announcement | undefined,
  deadlineMs: number,
): Promise<Reply[]> {
  const lockKeys = batch.map((w) => w.write.lockKey);
  const commands: [string, (string | number | Buffer)[]][] = [['del', lockKeys]];
  for (const { write } of batch) {
    const { redisKey, payload, ttlMs } = write;
    commands.push(['set', ttlMs > 0 ? [redisKey, payload, 'PX', ttlMs] : [redisKey, payload]]);
  }
  commands.push(['del', lockKeys]);
  if (announcement) commands.push(['publish', [announcement.channel, announcement.text]]);
  const stream = client.stream as NetStream | undefined;
  const replies =
    client.autoPipelineQueueSize === 0 && client.status === 'ready' && stream
      ? await sendCorked(client, stream, commands, deadlineMs)
      : // The cache's deadline: an adopted client may have no commandTimeout of its own.
        await withDeadline(
          Promise.all(commands.map(([name, args]) => client.call(name, ...args).then(replyOf, errorOf))),
          deadlineMs,
        );
  for (const [error] of replies) if (error && !isRejection(error)) throw error;
  return replies;
}

type NetStream = Redis['stream'];
const replyOf = (reply: unknown): Reply => [null, reply];
const errorOf = (error: Error): Reply => [error, null];

/** Sends the commands as one write (corked socket) and collects each reply or reply error, in order. */
async function sendCorked(
  client: Redis,
  stream: NetStream,
  commands: readonly [string, (string | number | Buffer)[]][],
  deadlineMs: number,
): Promise<Reply[]> {
  // The options ioredis's own command methods give (a client's keyPrefix applies here too).
  const options = { keyPrefix: client.options.keyPrefix, replyEncoding: 'utf8' as const };
  const replies: Reply[] = new Array<Reply>(commands.length);
  const sent = commands.map(([name, args]) => new Command(name, args, options));
  // One deadline for the whole batch (the cache's commandTimeout: an adopted client may have none) instead
  // of an ioredis timer per command (those were 5-10% of this path). Restored before anything else runs.
  const timeout = client.options.commandTimeout;
  stream.cork();
  try {
    client.options.commandTimeout = undefined;
    sent.forEach((command, i) => {
      command.promise.then(
        (reply) => (replies[i] = [null, reply]),
        (error: Error) => (replies[i] = [error, null]),
      );
      client.sendCommand(command);
    });
  } finally {
    client.options.commandTimeout = timeout;
    stream.uncork();
  }
  // Replies settle in order, so once the last has, every earlier reaction has run too; a gap would be
  // an ioredis change, and is then waited out rather than taken for success.
  const last = (sent[sent.length - 1] as Command).promise.then(noop, noop);
  await withDeadline(last, deadlineMs);
  if (replies.includes(undefined as never)) await Promise.all(sent.map((c) => c.promise.then(noop, noop)));
  return replies;
}

const noop = (): void => undefined;
