import type { LogSink } from '../ports.js';

/** One JSON object per line on stdout, which Lambda forwards to CloudWatch Logs as is. */
export const jsonLineLog: LogSink = (entry) => {
  process.stdout.write(`${JSON.stringify(entry)}\n`);
};
