// The face service with the fake engine in a process of its own, so a test can kill it with SIGKILL mid-write.
// Usage: node --import <tsx loader> fake-service-process.ts <dataDir>; prints the service URL on its first line.
import { startFaceService } from '../../../local/face-service/server.js';
import { createFakeEngine } from './fake-engine.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: fake-service-process.ts <dataDir>');
const service = await startFaceService({ port: 0, dataDir, engine: createFakeEngine(), log: () => undefined });
process.stdout.write(`${service.url}\n`);
