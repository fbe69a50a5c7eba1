import { wrapLanguageModel, type LanguageModel, type LanguageModelMiddleware } from 'ai';
import { MockLanguageModelV3, convertArrayToReadableStream } from 'ai/test';
import { tiercacheMiddleware, type TiercacheMiddlewareOptions } from '../../src/ai-sdk/index.js';
import type { FinishReason, GenerateResult, StreamPart, StreamResult } from '../../src/ai-sdk/sdk-types.js';

export const USAGE: GenerateResult['usage'] = {
  inputTokens: { total: 12, noCache: 12, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 7, text: 7, reasoning: undefined },
};

/** A generate result as a provider returns it (with a Date timestamp, as real providers do). */
export function generated(content: GenerateResult['content'], finish: FinishReason = 'stop'): GenerateResult {
  return {
    content,
    finishReason: { unified: finish, raw: finish },
    usage: USAGE,
    warnings: [],
    response: { id: 'resp-1', timestamp: new Date('2026-01-02T03:04:05.678Z'), modelId: 'm1' },
  };
}

export const text = (value: string): GenerateResult['content'][number] => ({ type: 'text', text: value });

/** The parts of a streamed text answer, cut into `deltas`. */
export function streamedText(deltas: string[], finish: FinishReason = 'stop'): StreamPart[] {
  return [
    { type: 'stream-start', warnings: [] },
    {
      type: 'response-metadata',
      id: 'resp-1',
      timestamp: new Date('2026-01-02T03:04:05.678Z'),
      modelId: 'm1',
    },
    { type: 'text-start', id: 't1' },
    ...deltas.map((delta): StreamPart => ({ type: 'text-delta', id: 't1', delta })),
    { type: 'text-end', id: 't1' },
    { type: 'finish', finishReason: { unified: finish, raw: finish }, usage: USAGE },
  ];
}

export interface MockOptions {
  modelId?: string;
  generate?: () => GenerateResult;
  stream?: () => ReadableStream<StreamPart>;
}

/** The SDK's own mock model; its `doGenerateCalls`/`doStreamCalls` count what reached the "provider". */
export function mockModel(options: MockOptions = {}): MockLanguageModelV3 {
  return new MockLanguageModelV3({
    provider: 'mock-provider',
    modelId: options.modelId ?? 'm1',
    doGenerate: async () => (options.generate ?? (() => generated([text('Hello, world')])))(),
    doStream: async () => ({
      stream: (options.stream ?? (() => convertArrayToReadableStream(streamedText(['Hel', 'lo', '!']))))(),
    }),
  });
}

/** The mock model behind `wrapLanguageModel` with the tiercache middleware. */
export function cachedModel(model: MockLanguageModelV3, options: TiercacheMiddlewareOptions): LanguageModel {
  return wrapLanguageModel({ model, middleware: tiercacheMiddleware(options) });
}

/** Calls a middleware's `wrapStream` as `streamText` would, to read (or cancel) its stream by hand. */
export async function wrapStream(
  middleware: LanguageModelMiddleware,
  model: MockLanguageModelV3,
  text = 'Stream a greeting',
): Promise<StreamResult> {
  return middleware.wrapStream!({
    doGenerate: () => model.doGenerate({ prompt: [] }),
    doStream: () => model.doStream({ prompt: [] }),
    params: { prompt: [{ role: 'user', content: [{ type: 'text', text }] }] },
    model,
  });
}
