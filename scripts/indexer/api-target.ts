// Which API the indexer talks to, and with which token: the options given, or else the local stack `npm start`
// runs on DATA_DIR (its URL from the state file it keeps there, its dev token from DEV_TOKEN or the file it wrote).
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { devTokenFile, readRunningStack } from '../../local/stack.js';
import { UsageError } from './arguments.js';

export interface ApiTarget {
  url: string;
  token: string;
}

export async function resolveApiTarget(given: { url?: string; token?: string }, env: Readonly<Record<string, string | undefined>>): Promise<ApiTarget> {
  const token = given.token ?? env.FACEGATE_TOKEN;
  if (given.url) {
    if (!token) throw new UsageError('With --url, give the token too: --token <token> (or set FACEGATE_TOKEN).');
    return { url: given.url, token };
  }
  const dataDir = resolve(env.DATA_DIR?.trim() || '.local-data');
  const running = await readRunningStack(dataDir);
  if (running?.status !== 'ready') {
    throw new UsageError(
      running
        ? `The local stack on ${dataDir} is still starting; run this again once it prints its URL.`
        : `No local stack is running on ${dataDir}: start it with \`npm start\` (in another terminal), or pass --url and --token.`,
    );
  }
  return { url: running.url, token: token ?? env.DEV_TOKEN ?? (await readDevToken(dataDir)) };
}

async function readDevToken(dataDir: string): Promise<string> {
  const file = devTokenFile(dataDir);
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    throw new UsageError(`The local stack's token is not in ${file} (was it started with DEV_TOKEN?): pass --token, or set DEV_TOKEN as for npm start.`);
  }
}
