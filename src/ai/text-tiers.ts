import { ValidationError } from '../core/errors.js';
import { codePointsExceed } from './key-generator.js';

export type TextTier = 'small' | 'medium' | 'large' | 'xlarge';
export const TEXT_TIERS: readonly TextTier[] = ['small', 'medium', 'large', 'xlarge'];

/** Upper bounds (exclusive, in code points) of the small, medium and large tiers. */
export interface TextSizeTiers {
  small: number;
  medium: number;
  large: number;
}

export const DEFAULT_TEXT_SIZE_TIERS: Readonly<TextSizeTiers> = { small: 500, medium: 5000, large: 50_000 };

/** Checks SPEC §5's rule: positive integers with small < medium < large. */
export function resolveTextSizeTiers(tiers: Partial<TextSizeTiers> | undefined): TextSizeTiers {
  const merged = { ...DEFAULT_TEXT_SIZE_TIERS, ...tiers };
  const { small, medium, large } = merged;
  const valid =
    [small, medium, large].every((n) => Number.isInteger(n) && n > 0) && small < medium && medium < large;
  if (!valid || Object.keys(merged).length !== 3) {
    throw new ValidationError(
      'textSizeTiers must be positive integers { small, medium, large } with small < medium < large',
      {
        option: 'textSizeTiers',
      },
    );
  }
  return { small, medium, large };
}

/** The tier of a text by code points: `< small` small, `< medium` medium, `< large` large, else xlarge. */
export function tierOf(text: string, tiers: TextSizeTiers): TextTier {
  if (!codePointsExceed(text, tiers.small - 1)) return 'small';
  if (!codePointsExceed(text, tiers.medium - 1)) return 'medium';
  if (!codePointsExceed(text, tiers.large - 1)) return 'large';
  return 'xlarge';
}
