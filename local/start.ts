// `npm start`: the whole API on this machine. PORT (3000), HOST (127.0.0.1), DATA_DIR (.local-data) and
// DEV_TOKEN (the dev tenant's token; generated on first start and kept in DATA_DIR otherwise). FAULT_PLAN (JSON,
// optional) makes the face service and S3 inject faults, as local/faults/README.md describes.
import { resolve } from 'node:path';
import { DataDirectoryInUseError } from './embedded-dynamodb.js';
import { faultPlanFromEnvironment, FaultPlanError, type FaultPlan } from './faults/fault-plan.js';
import { PortInUseError, StackAlreadyRunningError, startLocalStack, type LocalStack } from './stack.js';

class StartupConfigurationError extends Error {}

function readPort(raw: string | undefined): number {
  const value = raw?.trim() ? Number(raw) : 3000;
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new StartupConfigurationError(`PORT must be an integer from 0 to 65535, got "${raw}".`);
  }
  return value;
}

function readDevToken(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  if (!/^[A-Za-z0-9._~+/=-]{16,512}$/.test(raw)) {
    throw new StartupConfigurationError(
      'DEV_TOKEN must be 16 to 512 characters without spaces (letters, digits and ._~+/=-), as it is sent raw in the Authorization header.',
    );
  }
  return raw;
}

function explain(error: unknown): string {
  if (error instanceof PortInUseError) {
    return `Port ${error.port} on ${error.host} is already in use. Set PORT to a free port (for example PORT=${error.port + 1} npm start), or stop what uses it.`;
  }
  if (
    error instanceof StackAlreadyRunningError ||
    error instanceof DataDirectoryInUseError ||
    error instanceof StartupConfigurationError ||
    error instanceof FaultPlanError
  ) {
    return error.message;
  }
  const { code, path } = error as NodeJS.ErrnoException;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return `HOST=${process.env.HOST} is not an address of this machine: set HOST to one it has (the default is 127.0.0.1).`;
  }
  if (code === 'EACCES' || code === 'EROFS' || code === 'ENOTDIR') {
    return `Cannot write the local data at ${path}: set DATA_DIR to a writable directory.`;
  }
  return `The local stack could not start: ${error instanceof Error ? error.message : String(error)}`;
}

function faultNotice(plan: FaultPlan | undefined): string[] {
  return plan ? [`FAULT_PLAN is active, faults are injected: ${JSON.stringify(plan)}`, ''] : [];
}

function banner(stack: LocalStack, plan: FaultPlan | undefined): string {
  return [
    '',
    `facegate is running at ${stack.url}`,
    `Upload page: ${stack.url}/`,
    `Dev tenant token: ${stack.token}`,
    '',
    'Try it:',
    `  curl -H "Authorization: ${stack.token}" -F "inputImages[]=@photo.jpg" -F "collection=test-collection" ${stack.url}/ia/faces/bulkUpload`,
    '',
    `Data is kept in ${stack.dataDir}. More tenants: npm run tenant -- create <name>. Stop with Ctrl+C.`,
    '',
    ...faultNotice(plan),
  ].join('\n');
}

async function main(): Promise<void> {
  let stack: LocalStack;
  let faultPlan: FaultPlan | undefined;
  try {
    const port = readPort(process.env.PORT);
    faultPlan = faultPlanFromEnvironment(process.env);
    const devToken = readDevToken(process.env.DEV_TOKEN);
    const host = process.env.HOST?.trim() || '127.0.0.1';
    console.log(`Starting facegate on http://${host}:${port} (loading the face model takes a few seconds)...`);
    stack = await startLocalStack({
      port,
      host,
      dataDir: resolve(process.env.DATA_DIR?.trim() || '.local-data'),
      devToken,
      log: (line) => console.log(line),
      faultPlan,
    });
  } catch (error) {
    console.error(explain(error));
    process.exit(1);
  }
  console.log(banner(stack, faultPlan));

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      console.error(`${signal} again: exiting without waiting.`);
      process.exit(1);
    }
    stopping = true;
    console.log(`${signal}: stopping every part...`);
    stack.close().then(
      () => {
        console.log('Stopped.');
        process.exit(0);
      },
      (error: unknown) => {
        console.error('Stopping failed:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

await main();
