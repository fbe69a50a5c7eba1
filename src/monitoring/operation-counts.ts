import type { CacheTier, OperationOutcome } from '../core/events.js';
import { C, type WindowedCounters } from './windows.js';

export interface TierCounts {
  hits: number;
  misses: number;
}

/**
 * What a monitor counts of the operations it sees: totals, gets by tier, and the same into the
 * per-second windows. The hot path of monitoring (every L1 or memory hit is an event), so it does the
 * least it can: no Map lookup while gets keep to one tier.
 */
export class OperationCounts {
  total = 0;
  hits = 0;
  misses = 0;
  readonly byTier = new Map<CacheTier, TierCounts>();
  #lastTier: CacheTier | undefined;
  #lastCounts: TierCounts | undefined;

  constructor(private readonly windows: WindowedCounters) {}

  /** Any operation but a get. */
  countOther(): void {
    this.total++;
    this.windows.add(C.operations);
  }

  countGet(tier: CacheTier, outcome: OperationOutcome, l1Missed = false): void {
    const windows = this.windows;
    this.total++;
    windows.add(C.operations);
    windows.add(C.gets);
    if (outcome === 'hit') {
      this.hits++;
      this.#tier(tier).hits++;
      windows.add(C.hits);
      if (tier === 'l1') windows.add(C.l1Hits);
    } else if (outcome === 'miss') {
      this.misses++;
      this.#tier(tier).misses++;
      windows.add(C.misses);
    }
    // A get Redis answered went past L1 first: an L1 miss, whatever Redis said.
    if (l1Missed) {
      this.#tier('l1').misses++;
      windows.add(C.l1Misses);
    }
  }

  reset(): void {
    this.total = this.hits = this.misses = 0;
    this.byTier.clear();
    this.#lastCounts = undefined;
  }

  #tier(tier: CacheTier): TierCounts {
    if (tier === this.#lastTier && this.#lastCounts) return this.#lastCounts;
    let counts = this.byTier.get(tier);
    if (!counts) this.byTier.set(tier, (counts = { hits: 0, misses: 0 }));
    this.#lastTier = tier;
    return (this.#lastCounts = counts);
  }
}
