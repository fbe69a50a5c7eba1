import type { Redis } from 'ioredis';
import { DeadlineQueue } from './deadline-queue.js';
import { mayWaitBehindABatch, ONE_ROUND_TRIP_OPERATIONS } from './failures.js';
import { ALWAYS, type TierCommand } from './tier-command.js';

/**
 * Sends one operation's commands bounded by `commandTimeout`, measured from the call, at the least cost
 * (issue 23). ioredis starts a timer per command when it writes it (`setTimeout`, `clearTimeout` and a
 * property delete each): ~10% of a sequential GET. One-round-trip operations are bounded here instead,
 * all of them by one timer (DeadlineQueue):
 * - sent in their own turn (no batching now): written at once, with the client's own timer switched off
 *   while they are written (nothing else runs meanwhile; a step sent later, after an await, has it back);
 * - batched behind a batch ioredis is still running: bounded from the call, since ioredis's timer would
 *   start only once they are written;
 * - batched with this turn's batch: ioredis's timer, which starts within the turn, is bound enough.
 * Operations of several round trips (a SCAN loop) and a Cluster's commands (routed, maybe later, to a
 * node connection with options of its own) keep ioredis's timer per command.
 */
export class CommandDeadline {
  readonly #queue: DeadlineQueue;

  constructor(
    ms: number,
    private readonly client: Redis,
    private readonly cluster: boolean,
  ) {
    this.#queue = new DeadlineQueue(ms);
  }

  send<T>(operation: string, command: TierCommand<T>, batched: boolean): Promise<T> {
    const client = this.client;
    if (!ONE_ROUND_TRIP_OPERATIONS.has(operation)) return command(client, ALWAYS);
    if (batched) return mayWaitBehindABatch(client) ? this.#bound(command, false) : command(client, ALWAYS);
    return this.cluster ? command(client, ALWAYS) : this.#bound(command, true);
  }

  #bound<T>(command: TierCommand<T>, ownTurn: boolean): Promise<T> {
    let late = false;
    const live = (): boolean => !late;
    let sent: Promise<T>;
    if (ownTurn) {
      const options = this.client.options;
      const own = options.commandTimeout;
      options.commandTimeout = undefined;
      try {
        sent = command(this.client, live);
      } finally {
        options.commandTimeout = own;
      }
    } else {
      sent = command(this.client, live);
    }
    return this.#queue.bound(sent, () => (late = true));
  }
}
