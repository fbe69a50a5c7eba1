import { hash } from 'node:crypto';
import { canonicalJson } from '../ai/canonical-json.js';
import { encodeJson } from './json-codec.js';
import type { CallOptions, WrappedModel } from './sdk-types.js';

/** Bumped when what a key covers, or how a response is stored, changes: old entries then miss. */
const KEY_VERSION = 1;

/** `generate` and `stream` responses are stored in different shapes, so they never share a key. */
export type CallMode = 'generate' | 'stream';

/** The model as keys and AI cache requests name it: `provider:modelId`. */
export function modelName(model: WrappedModel): string {
  return `${model.provider}:${model.modelId}`;
}

/**
 * A SHA-256 (hex) of everything that can change a model's answer: the provider and model id, the prompt
 * (file bytes included), and every call setting (temperature, maxOutputTokens, topP, topK, penalties,
 * seed, stop sequences, response format, tools, tool choice, provider options, raw chunks) except the
 * abort signal and the headers. A setting added by a later SDK is covered as well. `undefined` when the
 * call holds something JSON cannot carry: such a call is not cached.
 */
export function requestDigest(mode: CallMode, model: WrappedModel, params: CallOptions): string | undefined {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- these two never change the answer
  const { abortSignal, headers, ...settings } = params;
  const encoded = encodeJson({ v: KEY_VERSION, mode, model: modelName(model), settings });
  if (encoded === undefined) return undefined;
  return hash('sha256', canonicalJson(encoded, 'params'), 'hex');
}
