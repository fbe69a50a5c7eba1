// `node --import tsx --import ./bench/use-dist.ts`: tiercache from dist/ (see dist-hooks.ts).
import { register } from 'node:module';

register('./dist-hooks.ts', import.meta.url);
