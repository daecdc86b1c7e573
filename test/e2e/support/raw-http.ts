// HTTP/1.1 written byte by byte over node:net, for requests fetch would refuse or normalise (bodies shorter than
// their Content-Length, conflicting framing headers, control characters, oversized headers). Every request has a
// client-side timeout: a server that hangs fails the test instead of stalling it.
import { connect } from 'node:net';

export interface RawRequest {
  method?: string;
  path?: string;
  /** Sent in this order, as given. Host and Connection: close are added; Content-Length too unless `framing` is set. */
  headers?: Array<[string, string]>;
  body?: Uint8Array | string;
  /** The request sets its own Content-Length / Transfer-Encoding headers. */
  framing?: 'manual';
  /** Stop writing after this many body bytes and wait, connection open (a client stalled mid-body). */
  cutBodyAt?: number;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

function parse(raw: Buffer): RawResponse {
  const headEnd = raw.indexOf('\r\n\r\n');
  if (headEnd === -1) throw new Error(`Not an HTTP response: ${JSON.stringify(raw.toString('latin1').slice(0, 200))}`);
  const [statusLine, ...headerLines] = raw.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine!)?.[1]);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let bodyBytes = raw.subarray(headEnd + 4);
  if (headers['content-length'] !== undefined) bodyBytes = bodyBytes.subarray(0, Number(headers['content-length']));
  const body = bodyBytes.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status, headers, body, json };
}

/** The request's bytes as sent: head, then the body (cut where the request says). */
function encode(baseUrl: string, request: RawRequest): Buffer {
  const { hostname, port } = new URL(baseUrl);
  const body = typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : Buffer.from(request.body ?? []);
  const lines = [`${request.method ?? 'POST'} ${request.path ?? '/ia/faces/bulkUpload'} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Connection: close'];
  for (const [name, value] of request.headers ?? []) lines.push(`${name}: ${value}`);
  if (request.framing !== 'manual') lines.push(`Content-Length: ${body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return Buffer.concat([head, request.cutBodyAt === undefined ? body : body.subarray(0, request.cutBodyAt)]);
}

/** Sends the request up to `cutBodyAt` and then closes the connection: a client that gave up mid-upload. */
export function abandonRequest(baseUrl: string, request: RawRequest & { cutBodyAt: number }): Promise<void> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.on('error', reject);
    socket.on('connect', () => socket.end(encode(baseUrl, request), () => resolve()));
  });
}

export function rawRequest(baseUrl: string, request: RawRequest, timeoutMs = 20_000): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);

  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`No complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The server may close before reading everything it was sent (it answered early); that is an answer too.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') {
        clearTimeout(timer);
        reject(error);
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(parse(Buffer.concat(chunks)));
      } catch (error) {
        reject(error);
      }
    });
    // The connection stays open for writing: Node's HTTP server drops a request whose client half-closes.
    socket.on('connect', () => socket.write(encode(baseUrl, request)));
  });
}
