import type { TokenUsage } from '../ai/ai-metrics.js';
import { decodeJson, encodeJson, type Json } from './json-codec.js';
import type { GenerateResult, StreamPart, Usage } from './sdk-types.js';

/** A `generateText`/`generateObject` response as stored (`v` is the format; another one reads as a miss). */
export interface StoredGenerate {
  v: 1;
  result: Json;
}

/** A `streamText` response as stored: its parts, and when each arrived (ms after the first byte was asked for). */
export interface StoredStream {
  v: 1;
  parts: Json[];
  at: number[];
}

/**
 * What is kept of a generate result: the answer, its finish reason, usage, provider metadata, warnings and
 * response id/timestamp/model. The request body and the response headers and body are not (they describe
 * one HTTP exchange, and can be large).
 */
export function storeGenerate(result: GenerateResult): StoredGenerate | undefined {
  const { content, finishReason, usage, providerMetadata, response, warnings } = result;
  const kept = {
    content,
    finishReason,
    usage,
    providerMetadata,
    warnings,
    response:
      response === undefined
        ? undefined
        : { id: response.id, timestamp: response.timestamp, modelId: response.modelId },
  };
  const json = encodeJson(kept);
  return json === undefined ? undefined : { v: 1, result: json };
}

export function readGenerate(stored: unknown): GenerateResult | undefined {
  if (!isObject(stored) || stored.v !== 1 || !isObject(stored.result)) return undefined;
  return decodeJson(stored.result) as GenerateResult;
}

export function storeStream(parts: readonly StreamPart[], at: readonly number[]): StoredStream | undefined {
  const json = encodeJson(parts);
  return Array.isArray(json) ? { v: 1, parts: json, at: [...at] } : undefined;
}

export function readStream(stored: unknown): { parts: StreamPart[]; at: number[] } | undefined {
  if (!isObject(stored) || stored.v !== 1 || !Array.isArray(stored.parts) || !Array.isArray(stored.at))
    return undefined;
  return { parts: stored.parts.map((part) => decodeJson(part) as StreamPart), at: stored.at as number[] };
}

/** The tokens a hit saves, when the provider reported them. */
export function tokenUsage(usage: Usage | undefined): TokenUsage | undefined {
  const input = usage?.inputTokens.total;
  const output = usage?.outputTokens.total;
  if (input === undefined && output === undefined) return undefined;
  return { inputTokens: input ?? 0, outputTokens: output ?? 0 };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
