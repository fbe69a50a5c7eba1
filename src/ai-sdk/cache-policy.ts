import type { FinishReason, GenerateResult, StreamPart } from './sdk-types.js';

/** The shape every content and stream part shares, as far as the policy reads it. */
interface PartLike {
  type: string;
  providerExecuted?: boolean;
  text?: string;
  delta?: string;
}

/**
 * Whether a finished response may be replayed (docs/ai-adapters.md, "What is cached"): only an answer
 * that ended with `'stop'` (or `'tool-calls'` with `cacheToolCalls`), holds something, and carries no
 * error, no tool output a provider ran (live data: web search, code execution) and no approval request.
 */
export class CachePolicy {
  constructor(readonly cacheToolCalls: boolean) {}

  generate(result: GenerateResult): boolean {
    return (
      this.#finishAllowed(result.finishReason.unified) &&
      result.content.every((part) => this.#partAllowed(part)) &&
      result.content.some(isAnswer)
    );
  }

  /** A stream counts only when it ended with its `finish` part (one cut short never has it). */
  stream(parts: readonly StreamPart[]): boolean {
    const last = parts.at(-1);
    return (
      last?.type === 'finish' &&
      this.#finishAllowed(last.finishReason.unified) &&
      parts.every((part) => this.#partAllowed(part)) &&
      parts.some(isAnswer)
    );
  }

  #finishAllowed(reason: FinishReason): boolean {
    return reason === 'stop' || (reason === 'tool-calls' && this.cacheToolCalls);
  }

  #partAllowed(part: PartLike): boolean {
    switch (part.type) {
      case 'error':
      case 'tool-result':
      case 'tool-approval-request':
        return false;
      case 'tool-call':
      case 'tool-input-start':
        return this.cacheToolCalls && part.providerExecuted !== true;
      default:
        return true;
    }
  }
}

/** A part that carries some of the answer (an empty text is none). */
function isAnswer(part: PartLike): boolean {
  switch (part.type) {
    case 'text':
    case 'reasoning':
      return part.text !== '';
    case 'text-delta':
    case 'reasoning-delta':
      return part.delta !== '';
    case 'file':
    case 'source':
    case 'tool-call':
      return true;
    default:
      return false;
  }
}
