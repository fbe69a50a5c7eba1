import type { LanguageModelMiddleware } from 'ai';

/** The AI SDK's own types, reached through the middleware type `ai` exports (no provider package needed). */
type WrapGenerate = Parameters<NonNullable<LanguageModelMiddleware['wrapGenerate']>>[0];
type WrapStream = Parameters<NonNullable<LanguageModelMiddleware['wrapStream']>>[0];

/** The settings of one model call (prompt, temperature, tools, abort signal, headers...). */
export type CallOptions = WrapGenerate['params'];
/** The model a middleware wraps. */
export type WrappedModel = WrapGenerate['model'];
export type GenerateResult = Awaited<ReturnType<WrapGenerate['doGenerate']>>;
export type StreamResult = Awaited<ReturnType<WrapStream['doStream']>>;
export type StreamPart = StreamResult['stream'] extends ReadableStream<infer P> ? P : never;
/** How a model says its answer ended: `'stop'`, `'length'`, `'content-filter'`, `'tool-calls'`, `'error'`, `'other'`. */
export type FinishReason = GenerateResult['finishReason']['unified'];
export type Usage = GenerateResult['usage'];
