// Matches a request path against REST API resources ('/a/{id}', '/files/{path+}'), as API Gateway routes them.
import type { RouteMatch } from './proxy-event.js';

function segmentsOf(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

export function matchResource(resource: string, path: string): RouteMatch | undefined {
  const pattern = segmentsOf(resource);
  const actual = segmentsOf(path);
  const pathParameters: Record<string, string> = {};
  for (let index = 0; index < pattern.length; index += 1) {
    const expected = pattern[index]!;
    const greedy = /^\{(.+)\+\}$/.exec(expected);
    if (greedy && index === pattern.length - 1 && actual.length > index) {
      pathParameters[greedy[1]!] = actual.slice(index).map(decodeURIComponent).join('/');
      return { resource, pathParameters };
    }
    const segment = actual[index];
    if (segment === undefined) return undefined;
    const parameter = /^\{(.+)\}$/.exec(expected);
    if (parameter) pathParameters[parameter[1]!] = decodeURIComponent(segment);
    else if (expected !== segment) return undefined;
  }
  if (actual.length !== pattern.length) return undefined;
  return { resource, pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : null };
}
