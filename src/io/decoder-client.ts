/** The main thread's handle on the io worker. */
import * as Comlink from 'comlink';
import type { DecodeWorkerApi } from './decode.worker.ts';

export interface DecoderClient {
  readonly api: Comlink.Remote<DecodeWorkerApi>;
  terminate(): void;
}

export function createDecoderClient(): DecoderClient {
  const worker = new Worker(new URL('./decode.worker.ts', import.meta.url), {
    type: 'module',
    name: 'quaywatch-io',
  });
  const api = Comlink.wrap<DecodeWorkerApi>(worker);
  return {
    api,
    terminate: () => {
      api[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
}
