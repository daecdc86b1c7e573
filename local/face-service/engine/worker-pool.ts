import type { Worker } from 'node:worker_threads';
import { startTypeScriptWorker } from '../../worker-threads.js';
import type { RgbImage } from './face-quality.js';
import type { EngineFace } from './types.js';
import type { AnalysisRequest, WorkerMessage } from './worker-protocol.js';

interface Job {
  id: number;
  image: RgbImage;
  resolve(faces: EngineFace[]): void;
  reject(error: Error): void;
}

interface PoolWorker {
  worker: Worker;
  job?: Job;
}

/** A fixed number of analysis workers, each with its own models; images queue until a worker is free. */
export class AnalysisWorkerPool {
  private readonly workers: PoolWorker[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  static async start(size: number): Promise<AnalysisWorkerPool> {
    const pool = new AnalysisWorkerPool();
    // Settled, not all: a failure must not leave the other workers loading unseen after close().
    const started = await Promise.allSettled(Array.from({ length: size }, () => pool.spawn()));
    const failure = started.find((result) => result.status === 'rejected');
    if (failure) {
      await pool.close();
      throw failure.reason;
    }
    return pool;
  }

  analyze(image: RgbImage): Promise<EngineFace[]> {
    if (this.closed) return Promise.reject(new Error('the face engine is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, image, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const closedError = () => new Error('the face engine was closed');
    for (const job of this.queue.splice(0)) job.reject(closedError());
    await Promise.all(
      this.workers.splice(0).map(({ worker, job }) => {
        job?.reject(closedError());
        return worker.terminate();
      }),
    );
  }

  private spawn(): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = startTypeScriptWorker(new URL('./analysis-worker.ts', import.meta.url));
      const entry: PoolWorker = { worker };
      let ready = false;
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') {
          ready = true;
          this.workers.push(entry);
          resolve();
          this.dispatch();
        } else if (message.type === 'load-failure') {
          reject(new Error(`the face models failed to load: ${message.error}`));
          void worker.terminate();
        } else {
          const job = entry.job;
          entry.job = undefined;
          if (job && job.id === message.id) {
            if (message.type === 'result') job.resolve(message.faces);
            else job.reject(new Error(`face analysis failed: ${message.error}`));
          }
          this.dispatch();
        }
      });
      worker.on('error', (error) => {
        if (!ready) reject(error);
      });
      worker.on('exit', (code) => {
        if (!ready || this.closed) return;
        // A crashed worker fails only the image it held; a replacement takes its place.
        this.workers.splice(this.workers.indexOf(entry), 1);
        entry.job?.reject(new Error(`a face analysis worker stopped unexpectedly (exit code ${code})`));
        this.spawn().catch((error: Error) => {
          for (const job of this.queue.splice(0)) job.reject(error);
        });
      });
    });
  }

  private dispatch(): void {
    for (const entry of this.workers) {
      if (entry.job) continue;
      const job = this.queue.shift();
      if (!job) return;
      entry.job = job;
      const request: AnalysisRequest = { id: job.id, image: job.image };
      entry.worker.postMessage(request, [job.image.data.buffer as ArrayBuffer]);
    }
  }
}
