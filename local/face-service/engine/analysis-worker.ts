// Worker-thread entry: one instance of the face models per thread, one image at a time.
import { parentPort } from 'node:worker_threads';
import { loadFaceModels } from './face-models.js';
import type { AnalysisRequest, WorkerMessage } from './worker-protocol.js';

if (!parentPort) throw new Error('analysis-worker.ts must run in a worker thread');
const port = parentPort;

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

try {
  const models = await loadFaceModels();
  port.on('message', async (request: AnalysisRequest) => {
    let reply: WorkerMessage;
    try {
      reply = { type: 'result', id: request.id, faces: await models.analyze(request.image) };
    } catch (error) {
      reply = { type: 'failure', id: request.id, error: describe(error) };
    }
    port.postMessage(reply);
  });
  port.postMessage({ type: 'ready' } satisfies WorkerMessage);
} catch (error) {
  port.postMessage({ type: 'load-failure', error: describe(error) } satisfies WorkerMessage);
}
