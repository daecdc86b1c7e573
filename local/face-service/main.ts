// `npm run face-service`: the Rekognition-compatible face service alone, on 127.0.0.1. FAULT_PLAN (JSON, optional)
// makes it inject faults (local/faults/README.md).
import path from 'node:path';
import { faultPlanFromEnvironment } from '../faults/fault-plan.js';
import { startFaceService } from './server.js';

function portFromEnv(): number {
  const raw = process.env.FACE_SERVICE_PORT ?? '4600';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`FACE_SERVICE_PORT must be a port number (0-65535), got "${raw}".`);
  }
  return port;
}

// The same place the local stack (`npm start`) keeps its faces, so both see the same collections.
const dataDir = path.join(process.env.DATA_DIR ?? '.local-data', 'faces');
const service = await Promise.resolve()
  .then(() => startFaceService({ port: portFromEnv(), dataDir, faults: faultPlanFromEnvironment(process.env) }))
  .catch((error: unknown) => {
  console.error(`face service could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
console.log(`face service listening on ${service.url} (data in ${dataDir})`);
if (service.faults.plan.rekognition) console.log(`FAULT_PLAN is active, faults are injected: ${JSON.stringify(service.faults.plan.rekognition)}`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping the face service`);
  await service.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
