// A local stack for one test file: free loopback ports, its data in a fresh temporary directory that goes away
// with the stack.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../local/stack.js';

export interface TemporaryStack {
  stack: LocalStack;
  dataDir: string;
  /** Stops every part of the stack and removes its data. */
  stop(): Promise<void>;
}

export async function startTemporaryStack(name: string, options: Omit<LocalStackOptions, 'dataDir' | 'port' | 'host'>): Promise<TemporaryStack> {
  const dataDir = await mkdtemp(join(tmpdir(), `facegate-${name}-`));
  const removeData = () => rm(dataDir, { recursive: true, force: true });
  try {
    const stack = await startLocalStack({ port: 0, host: '127.0.0.1', dataDir, ...options });
    return {
      stack,
      dataDir,
      stop: async () => {
        await stack.close();
        await removeData();
      },
    };
  } catch (error) {
    await removeData();
    throw error;
  }
}
