// The command line of `npm run index`, read and checked before anything is sent.
import { parseArgs } from 'node:util';
import { MAX_IMAGES_PER_REQUEST } from './batching.js';
import { DEFAULT_RETRY_POLICY } from './retry-policy.js';

export const USAGE = `Usage: npm run index -- <folder or files...> --collection <name> [options]

Uploads every JPEG and PNG photo found (folders are walked) into a face collection, several requests at once,
retrying what the API says is worth retrying, and writes a JSON Lines report of every photo. Run it again after an
interruption: photos the report shows as indexed are skipped.

Options:
  --collection <name>   the collection (1-100 of A-Z a-z 0-9 _ . -, starting with a letter or digit); required
  --url <url>           the API (default: the local stack \`npm start\` runs on DATA_DIR, default .local-data)
  --token <token>       the API token (default: FACEGATE_TOKEN, or the local stack's dev token when --url is not given)
  --concurrency <n>     requests in flight at once, 1-16 (default 2)
  --batch-size <n>      photos per request, 1-${MAX_IMAGES_PER_REQUEST} (default ${MAX_IMAGES_PER_REQUEST}); requests also stay under about 4.4 MB
  --retries <n>         retries of a retryable failure, 0-10 (default ${DEFAULT_RETRY_POLICY.maxAttempts - 1})
  --report <file>       the JSON Lines report (default facegate-index-<collection>.jsonl)
  --help                this text

Exit code: 0 when every photo was indexed (or skipped as not JPEG/PNG), 1 when some failed, 2 on a usage error,
130 when interrupted.`;

export class UsageError extends Error {}

export interface IndexArguments {
  inputs: string[];
  collection: string;
  url?: string;
  token?: string;
  concurrency: number;
  batchSize: number;
  retries: number;
  reportPath: string;
}

const COLLECTION = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${raw}".`);
  return value;
}

/** The parsed arguments, or 'help'; throws UsageError with the reason and the fix. */
export function parseIndexArguments(argv: readonly string[]): IndexArguments | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        collection: { type: 'string' },
        url: { type: 'string' },
        token: { type: 'string' },
        concurrency: { type: 'string' },
        'batch-size': { type: 'string' },
        retries: { type: 'string' },
        report: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length === 0) throw new UsageError('Name the folders or photos to upload.');
  if (!values.collection) throw new UsageError('--collection is required: the collection to index the faces into.');
  if (!COLLECTION.test(values.collection)) {
    throw new UsageError(`--collection "${values.collection}" is not valid: use 1 to 100 of A-Z a-z 0-9 _ . - starting with a letter or digit.`);
  }
  if (values.url !== undefined && !/^https?:\/\/[^\s]+$/.test(values.url)) throw new UsageError(`--url must be an http(s) URL, got "${values.url}".`);
  if (values.token !== undefined && values.token.trim() === '') throw new UsageError('--token is empty.');
  return {
    inputs: positionals,
    collection: values.collection,
    url: values.url,
    token: values.token,
    concurrency: integer('concurrency', values.concurrency, 2, 1, 16),
    batchSize: integer('batch-size', values['batch-size'], MAX_IMAGES_PER_REQUEST, 1, MAX_IMAGES_PER_REQUEST),
    retries: integer('retries', values.retries, DEFAULT_RETRY_POLICY.maxAttempts - 1, 0, 10),
    reportPath: values.report ?? `facegate-index-${values.collection}.jsonl`,
  };
}
