// POST /ia/faces/bulkUpload behind the token authorizer: event in, response out, one log line per request.
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createBulkUploadDependencies } from '../composition.js';
import type { BulkUploadSettings } from '../config.js';
import type { FaceIndex, ImageRecordStore, ImageStore, LogSink } from '../ports.js';
import { indexUploadedImages, type ImageOutcome } from '../core/bulk-index.js';
import { batchResponse, requestErrorResponse } from '../core/bulk-response.js';
import { RequestError } from '../core/errors.js';
import { jsonLineLog } from '../core/json-log.js';
import { parseUploadForm } from '../core/multipart.js';
import { realWait, withinTimeBudget, type Wait } from '../core/time-budget.js';

export interface BulkUploadHandlerDependencies {
  images: ImageStore;
  faces: FaceIndex;
  records: ImageRecordStore;
  config: BulkUploadSettings;
  log?: LogSink;
  /** Milliseconds, for the logged duration only. */
  clock?: () => number;
  /** Epoch milliseconds, for the expiry of image record claims. */
  now?: () => number;
  /** The timer of the answer deadline (tests pass one driven by their own clock). */
  wait?: Wait;
}

export type BulkUploadHandler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

function countBy<Item>(items: readonly Item[], key: (item: Item) => string | undefined): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const value = key(item);
    if (value !== undefined) counts[value] = (counts[value] ?? 0) + 1;
  }
  return counts;
}

/** Counts only: no face attributes, file names or headers (the Authorization header holds the token). */
function outcomeSummary(outcomes: readonly ImageOutcome[]) {
  return {
    images: outcomes.length,
    processed: outcomes.filter((outcome) => outcome.result).length,
    // Answered from the record of an earlier request, without a new IndexFaces call.
    replayed: outcomes.filter((outcome) => outcome.result && outcome.replayed).length,
    failed: outcomes.filter((outcome) => outcome.error).length,
    facesIndexed: outcomes.reduce((sum, outcome) => sum + (outcome.result && !outcome.replayed ? outcome.result.FaceRecords.length : 0), 0),
    failuresByCode: countBy(outcomes, (outcome) => outcome.error?.code),
    failureCauses: countBy(outcomes, (outcome) => (outcome.error?.fault === 'client' ? undefined : outcome.error?.causeName)),
  };
}

/** Set by the token authorizer's context; API Gateway passes context values as strings. */
function authorizedTenantId(event: APIGatewayProxyEvent): string | undefined {
  const tenantId: unknown = event.requestContext?.authorizer?.tenantId;
  return typeof tenantId === 'string' && tenantId !== '' ? tenantId : undefined;
}

export function createBulkUploadHandler(dependencies: BulkUploadHandlerDependencies): BulkUploadHandler {
  const { images, faces, records, config } = dependencies;
  const log = dependencies.log ?? jsonLineLog;
  const clock = dependencies.clock ?? (() => performance.now());
  const wait = dependencies.wait ?? realWait;

  return async (event, context) => {
    const started = clock();
    const tenantId = authorizedTenantId(event);
    const logLine = (level: 'info' | 'error', fields: Record<string, unknown>) =>
      log({ level, event: 'bulkUpload', requestId: context?.awsRequestId, tenantId, ...fields, durationMs: Math.round(clock() - started) });
    try {
      if (!tenantId) {
        throw new RequestError('UNAUTHORIZED', 'The request carries no authorized tenant; send your token in the Authorization header.');
      }
      const form = await parseUploadForm(event, { maxImages: config.maxImagesPerRequest, maxImageBytes: config.maxImageBytes });
      const outcomes = await withinTimeBudget(context, wait, (budget) =>
        indexUploadedImages({ tenantId, collection: form.collection, files: form.files }, { images, faces, records, settings: config, now: dependencies.now, ...budget }),
      );
      const response = batchResponse(outcomes);
      logLine(response.statusCode >= 500 ? 'error' : 'info', { collection: form.collection, status: response.statusCode, ...outcomeSummary(outcomes) });
      return response;
    } catch (error) {
      const requestError =
        error instanceof RequestError
          ? error
          : new RequestError('INTERNAL_ERROR', 'The request could not be processed because of a server-side error; it is logged on our side.');
      logLine(requestError.status >= 500 ? 'error' : 'info', {
        status: requestError.status,
        errorCode: requestError.code,
        ...(error instanceof RequestError ? {} : { cause: error instanceof Error ? error.name : typeof error }),
      });
      return requestErrorResponse(requestError);
    }
  };
}

let productionHandler: BulkUploadHandler | undefined;

/** The Lambda entry point: dependencies are built on the first invocation and reused by the container. */
export const handler: BulkUploadHandler = (event, context) => {
  productionHandler ??= createBulkUploadHandler(createBulkUploadDependencies(process.env));
  return productionHandler(event, context);
};
