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

/** A call split for the AI cache: the digest of its context, and the last user message's text. */
export interface SplitCall {
  /** Everything but the question's text (its place is marked, so a call without one never matches). */
  context: string;
  question: string;
}

/**
 * When the call ends with a user message of text parts only (no provider options), that text is the
 * request's `question` and the rest is its context: the exact key covers both (as `requestDigest`), and
 * semantic matching compares questions asked in the same context (docs/semantic-cache.md). Undefined
 * otherwise.
 */
export function splitCall(mode: CallMode, model: WrappedModel, params: CallOptions): SplitCall | undefined {
  const last = params.prompt.at(-1);
  if (last?.role !== 'user' || last.providerOptions !== undefined || last.content.length === 0)
    return undefined;
  const texts: string[] = [];
  for (const part of last.content) {
    if (part.type !== 'text' || part.providerOptions !== undefined) return undefined;
    texts.push(part.text);
  }
  const context = requestDigest(mode, model, {
    ...params,
    prompt: [...params.prompt.slice(0, -1), QUESTION_MARK],
  });
  return context === undefined ? undefined : { context, question: texts.join('\n') };
}

/** Where the question was: a message no real prompt holds. */
const QUESTION_MARK: CallOptions['prompt'][number] = {
  role: 'user',
  content: [{ type: 'text', text: '\u0000tiercache:question' }],
};
