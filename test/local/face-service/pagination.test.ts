import { describe, expect, it } from 'vitest';
import { RekognitionError } from '../../../local/face-service/errors.js';
import { paginate } from '../../../local/face-service/pagination.js';

const identity = (item: string) => item;

function readAll(items: string[], pageSize: number, between?: (items: string[]) => string[]): string[] {
  const seen: string[] = [];
  let current = items;
  let token: string | undefined;
  do {
    const page = paginate(current, identity, 'faces/x', pageSize, token);
    seen.push(...page.items);
    token = page.nextToken;
    if (between) current = between(current);
  } while (token);
  return seen;
}

describe('paginate', () => {
  it('walks every item exactly once, page by page', () => {
    const items = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    expect(readAll(items, 3)).toEqual(items);
    expect(readAll(items, 7)).toEqual(items);
    expect(paginate(items, identity, 'faces/x', 7).nextToken).toBeUndefined();
  });

  it('resumes after the last item returned when an earlier item is removed between pages', () => {
    const items = ['a', 'b', 'c', 'd', 'e', 'f'];
    const first = paginate(items, identity, 'faces/x', 3);
    const second = paginate(items.filter((item) => item !== 'a'), identity, 'faces/x', 3, first.nextToken);
    expect(second.items).toEqual(['d', 'e', 'f']);
  });

  it('keeps its tokens short enough for Rekognition (255 characters) whatever the ids', () => {
    const items = ['x'.repeat(255), 'y'.repeat(255)];
    expect(paginate(items, identity, 'collections', 1).nextToken!.length).toBeLessThanOrEqual(255);
  });

  it.each([['garbage', 'not a token'], ['empty JSON', Buffer.from('{}').toString('base64url')]])('refuses a %s token', (_, token) => {
    expect(() => paginate(['a'], identity, 'faces/x', 1, token)).toThrow(RekognitionError);
  });

  it('refuses a token issued for another listing', () => {
    const { nextToken } = paginate(['a', 'b'], identity, 'faces/x', 1);
    expect(() => paginate(['a', 'b'], identity, 'faces/y', 1, nextToken)).toThrowError(/NextToken/);
  });
});
