// A tiny Rekognition on loopback speaking the AWS JSON 1.1 protocol (`X-Amz-Target: RekognitionService.<Op>`):
// it records each call and answers with whatever the test queued for that operation (200 `{}` otherwise).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  operation: string;
  body: Record<string, unknown>;
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

export interface FakeRekognitionServer {
  endpoint: string;
  calls: RecordedCall[];
  answer(operation: string, ...queued: Answer[]): void;
  reset(): void;
  close(): Promise<void>;
}

/** An error answer as Rekognition sends it: the exception name in `__type`. */
export function failure(type: string, status = 400): Answer {
  return { status, body: { __type: type, message: `${type} raised by the test service` } };
}

export async function startFakeRekognitionServer(): Promise<FakeRekognitionServer> {
  const calls: RecordedCall[] = [];
  const answers = new Map<string, Answer[]>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const operation = String(request.headers['x-amz-target']).replace('RekognitionService.', '');
      calls.push({ operation, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      const next = answers.get(operation)?.shift() ?? { status: 200, body: {} };
      response.writeHead(next.status, { 'Content-Type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(next.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    answer: (operation, ...queued) => answers.set(operation, queued),
    reset() {
      calls.length = 0;
      answers.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
