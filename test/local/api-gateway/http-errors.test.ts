import { describe, expect, it } from 'vitest';
import { answerForClientError } from '../../../local/api-gateway/http-errors.js';

const parserError = (code: string, reason?: string) => Object.assign(new Error(reason ?? code), { code, reason });

describe('answers to requests that are not valid HTTP', () => {
  it('answers oversized headers 431, naming the limit', () => {
    expect(answerForClientError(parserError('HPE_HEADER_OVERFLOW'), 60_000)).toMatchObject({
      status: 431,
      code: 'HEADERS_TOO_LARGE',
      message: expect.stringContaining('larger than 16 KB'),
    });
  });

  it('answers a request that did not arrive in time 408, naming the timeout', () => {
    expect(answerForClientError(parserError('ERR_HTTP_REQUEST_TIMEOUT'), 60_000)).toMatchObject({
      status: 408,
      code: 'REQUEST_TIMEOUT',
      message: expect.stringContaining('within 60 s'),
    });
  });

  it("answers any other parser refusal 400 with the parser's reason", () => {
    const answer = answerForClientError(parserError('HPE_UNEXPECTED_CONTENT_LENGTH', 'Content-Length can\'t be present with Transfer-Encoding'), 60_000);
    expect(answer).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    expect(answer!.message).toContain("(Content-Length can't be present with Transfer-Encoding)");
  });

  it('does not answer a client that is already gone', () => {
    expect(answerForClientError(parserError('ECONNRESET'), 60_000)).toBeUndefined();
  });
});
