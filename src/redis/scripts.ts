import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ALWAYS } from './tier-command.js';

/** A Lua script sent by its SHA1 (EVALSHA); the text goes over the wire only when the server lacks it. */
export class LuaScript {
  readonly #sha: string;

  constructor(readonly source: string) {
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  /**
   * EVALSHA, then EVAL when the server lacks the script, unless `live` says the caller's deadline has
   * passed meanwhile: a write must not land after its caller was told it failed.
   */
  async run(
    client: Redis,
    keys: readonly string[],
    args: readonly (string | number | Buffer)[],
    live: () => boolean = ALWAYS,
  ): Promise<unknown> {
    try {
      return await client.evalsha(this.#sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT') || !live()) throw error;
      return client.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}
