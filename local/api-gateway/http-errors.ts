// Answers to requests that never become API requests: not valid HTTP/1.1, headers too large, or a body that
// stops arriving. Node's HTTP parser refuses these before any route runs; by default it answers with an empty
// body (or not at all). Here each gets the API's error shape with a sentence saying what to fix.
import type { Duplex } from 'node:stream';

/** Node's own limit on the request line and headers together. */
export const MAX_HEADER_BYTES = 16 * 1024;

export interface HttpErrorAnswer {
  status: number;
  reason: string;
  code: string;
  message: string;
}

/** The answer to a request Node's HTTP parser refused, or undefined when the client is already gone. */
export function answerForClientError(error: NodeJS.ErrnoException & { reason?: string }, requestTimeoutMs: number): HttpErrorAnswer | undefined {
  switch (error.code) {
    case 'ECONNRESET':
    case 'EPIPE':
      return undefined;
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        reason: 'Request Header Fields Too Large',
        code: 'HEADERS_TOO_LARGE',
        message: `The request line and headers are larger than ${MAX_HEADER_BYTES / 1024} KB; send shorter headers (the token alone in Authorization) and a shorter URL.`,
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        reason: 'Request Timeout',
        code: 'REQUEST_TIMEOUT',
        message: `The request was not received completely within ${Math.round(requestTimeoutMs / 1000)} s: its body is shorter than its Content-Length, or arrives too slowly. Send the whole body at once.`,
      };
    default:
      return {
        status: 400,
        reason: 'Bad Request',
        code: 'BAD_REQUEST',
        message: `The request is not valid HTTP/1.1 (${error.reason ?? error.code ?? 'unreadable'}): check its framing headers (Content-Length, Transfer-Encoding) and that header values have no control characters. Standard HTTP clients send valid requests.`,
      };
  }
}

/** Writes the answer straight to the socket (there is no response object yet) and closes the connection. */
export function sendOnSocket(socket: Duplex, answer: HttpErrorAnswer): void {
  if (!socket.writable) return;
  const body = JSON.stringify({ message: answer.message, error: { code: answer.code } });
  socket.end(
    `HTTP/1.1 ${answer.status} ${answer.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
