import { ServiceError } from '../base/errors.js';
import { parseQuery } from '../api/parse.js';
import { errorResponse, type WireResponse } from '../api/serialize.js';
import type { SigV4Verifier } from '../api/sigv4.js';
import type { Detector } from '../detect/detector.js';
import { InternalFailureException } from '../generated/errors.js';
import type { Logger } from 'pino';
import type { LocalRequest } from '../api/server.js';

/** POST /_warden/things/{thingName}/defender/metrics/{json|cbor}: the reserved topic's path, under /_warden/. */
export const DEVICE_METRICS_PATH = /^\/_warden\/things\/([^/]+)\/defender\/metrics\/(json|cbor)$/;

/**
 * A device-side metrics report, as a device would publish it to
 * `$aws/things/{thingName}/defender/metrics/{json|cbor}` (the broker calls the same
 * Detector), SigV4-signed and scoped to the caller's account and region. The body is the report
 * itself (JSON or CBOR). The answer is what the `accepted` or `rejected` topic would carry:
 * 200 with `{"thingName", "reportId", "status": "ACCEPTED"}` once the report is evaluated and
 * stored, or 400 with `{"thingName", "reportId"?, "status": "REJECTED", "statusDetails":
 * {"ErrorCode", "ErrorMessage"}}` (ErrorCode InvalidPayload, naming the field, or Throttled).
 */
export async function postDeviceMetrics(
  req: LocalRequest,
  path: string,
  rawQuery: string,
  match: RegExpExecArray,
  opts: { verifier: SigV4Verifier; detector: Detector; log: Logger },
): Promise<WireResponse> {
  try {
    const principal = await opts.verifier.verify({ method: req.method, rawPath: path, query: parseQuery(rawQuery), headers: req.headers, body: req.body });
    let thingName: string;
    try {
      thingName = decodeURIComponent(match[1]);
    } catch {
      thingName = match[1];
    }
    const answer = await opts.detector.submitDeviceReport(principal, thingName, req.body, match[2] as 'json' | 'cbor');
    return { status: answer.status === 'ACCEPTED' ? 200 : 400, headers: { 'content-type': 'application/json' }, body: JSON.stringify(answer) };
  } catch (e) {
    if (e instanceof ServiceError) return errorResponse(e);
    opts.log.error({ reqId: req.requestId, err: e }, 'device metrics report failed');
    return errorResponse(new InternalFailureException(`An internal error occurred (request ${req.requestId}).`));
  }
}
