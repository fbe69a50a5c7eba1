import type { ResolvedBreakerOptions } from './circuit-breaker.js';

/** How a RemoteTier runs its commands (ms for every duration). */
export interface RemoteTierOptions {
  /** Batch commands (ioredis auto-pipelining) only under concurrency; see RemoteTier's constructor. */
  adaptivePipelining?: boolean;
  breaker?: ResolvedBreakerOptions | undefined;
  /** After an outage, once Redis is back: `changed` = this instance wrote or invalidated meanwhile. */
  onRecovered?: (changed: boolean) => void;
  /** How long the first command waits for a connection nobody asked for yet (lazy connect). */
  connectTimeout?: number;
  /** Throw Redis failures as `InfrastructureError` instead of answering `FAILED`. */
  strict?: boolean;
  /** Bound of one command, measured from the call (batched commands included). */
  commandTimeout?: number;
  /** PING a connected Redis idle this long (ms), so a hung server is noticed without traffic; 0 = off. */
  probeInterval?: number;
}
