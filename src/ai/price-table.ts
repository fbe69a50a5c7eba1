import { ValidationError } from '../core/errors.js';
import { isPlainObject } from '../core/objects.js';

/** What one model costs, per million tokens, in the currency you keep your accounts in. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}

/** Prices by model name (the request's `model`): `{ 'gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10 } }`. */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

const FIELDS = ['inputPerMillion', 'outputPerMillion'] as const;

/** Checks a price table and freezes a copy; every problem is listed (`ValidationError.errors`). */
export function resolvePriceTable(prices: unknown): ReadonlyMap<string, ModelPrice> | undefined {
  if (prices === undefined) return undefined;
  const shape = 'prices must be an object of model name → { inputPerMillion, outputPerMillion }';
  if (!isPlainObject(prices)) throw new ValidationError(shape, { option: 'prices' });
  const errors: string[] = [];
  const table = new Map<string, ModelPrice>();
  for (const [model, price] of Object.entries(prices)) {
    const name = `prices[${JSON.stringify(model)}]`;
    if (!isPlainObject(price)) {
      errors.push(`${name} must be { inputPerMillion, outputPerMillion }`);
      continue;
    }
    for (const field of Object.keys(price)) {
      if (!(FIELDS as readonly string[]).includes(field))
        errors.push(`${name} has an unknown field: ${field} (known: ${FIELDS.join(', ')})`);
    }
    for (const field of FIELDS) {
      const value = price[field];
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
        errors.push(`${name}.${field} must be a non-negative number (a price per 1M tokens)`);
    }
    table.set(model, Object.freeze({ ...(price as unknown as ModelPrice) }));
  }
  if (errors.length > 0) throw new ValidationError(errors.join('; '), { option: 'prices', errors });
  return table;
}

/** What the tokens cost under a price. */
export function costOf(price: ModelPrice, inputTokens: number, outputTokens: number): number {
  return (inputTokens * price.inputPerMillion + outputTokens * price.outputPerMillion) / 1_000_000;
}

/** What the tokens cost for `model` under the table; 0 without a table, a model, or a price for it. */
export function priceOf(
  table: ReadonlyMap<string, ModelPrice> | undefined,
  model: string | undefined,
  inputTokens: number,
  outputTokens: number,
): number {
  const price = model === undefined ? undefined : table?.get(model);
  return price === undefined ? 0 : costOf(price, inputTokens, outputTokens);
}
