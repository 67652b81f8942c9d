import type { Logger } from 'pino';
import { InternalFailureException, InvalidRequestException, ServiceUnavailableException, ThrottlingException } from '../generated/errors.js';
import type { IotService } from '../generated/service.js';
import type { Store } from '../store/store.js';
import { DatabaseUnavailableError } from '../store/driver.js';
import type { Clock } from '../base/clock.js';
import type { Context, DataPlane, DetectHooks } from '../context/context.js';
import { NotImplementedException, ServiceError, UnknownOperationException } from '../base/errors.js';
import type { ServiceModel } from './model.js';
import type { RateLimiter } from './rate-limit.js';
import { parseInput, parseQuery } from './parse.js';
import { BadPathEncoding, Router } from './router.js';
import { errorResponse, Serializer, type WireResponse } from './serialize.js';
import type { SigV4Verifier } from './sigv4.js';
import { Validator } from './validate.js';

export interface IncomingAwsRequest {
  method: string;
  /** Path and query exactly as sent. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  requestId: string;
}

export interface PipelineResult {
  response: WireResponse;
  operation: string;
  accountId?: string;
  region?: string;
}

type AnyOperation = (input: unknown, ctx: Context) => Promise<unknown>;

/**
 * One AWS request, start to end: authenticate (SigV4), route (model), bind and validate the
 * input (model), run the operation, serialise the output or the error (model). Knows nothing
 * of Device Defender; operations know nothing of HTTP.
 */
export class AwsPipeline {
  private readonly router: Router;
  private readonly validator: Validator;
  private readonly serializer: Serializer;

  constructor(
    private readonly model: ServiceModel,
    private readonly service: Partial<IotService>,
    private readonly verifier: SigV4Verifier,
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly wakeEngine: () => void = () => undefined,
    /** AWS's API rate quotas, when enforced (SEMANTICS.md D21). */
    private readonly rateLimiter?: RateLimiter,
    private readonly detect?: DetectHooks,
    private readonly dataPlane?: DataPlane,
  ) {
    this.router = new Router(model);
    this.validator = new Validator(model);
    this.serializer = new Serializer(model);
  }

  async handle(req: IncomingAwsRequest): Promise<PipelineResult> {
    let operation = 'unknown';
    let principal: { accountId: string; region: string } | undefined;
    try {
      const q = req.url.indexOf('?');
      const rawPath = q < 0 ? req.url : req.url.slice(0, q);
      const query = parseQuery(q < 0 ? '' : req.url.slice(q + 1));
      principal = await this.verifier.verify({ method: req.method, rawPath, query, headers: req.headers, body: req.body });
      const match = this.router.match(req.method, rawPath);
      if (!match) throw new UnknownOperationException(req.method, rawPath);
      const op = match.operation;
      operation = op.name;
      const impl = this.service[op.name as keyof IotService] as AnyOperation | undefined;
      if (!impl) throw new NotImplementedException(op.name);
      if (this.rateLimiter && !this.rateLimiter.take(principal.accountId, principal.region, op.name, this.clock.now().getTime())) {
        throw new ThrottlingException(`Rate exceeded: ${op.name} allows ${this.rateLimiter.quotaOf(op.name)} requests per second per account and region.`);
      }
      const input = parseInput(this.model, this.validator, op, { labels: match.labels, query, headers: req.headers, body: req.body });
      const ctx: Context = {
        requestId: req.requestId,
        operation,
        accountId: principal.accountId,
        region: principal.region,
        store: this.store,
        clock: this.clock,
        log: this.log,
        wakeEngine: this.wakeEngine,
        detect: this.detect,
        dataPlane: this.dataPlane,
      };
      const output = await impl(input, ctx);
      return { response: this.serializer.output(op, output), operation, ...principal };
    } catch (e) {
      return { response: errorResponse(this.toServiceError(e, req, operation)), operation, ...principal };
    }
  }

  private toServiceError(e: unknown, req: IncomingAwsRequest, operation: string): ServiceError {
    if (e instanceof ServiceError) return e;
    if (e instanceof BadPathEncoding) return new InvalidRequestException(e.message);
    if (e instanceof DatabaseUnavailableError) {
      this.log.warn({ reqId: req.requestId, operation, err: e.message }, 'database unavailable');
      return new ServiceUnavailableException('The service is temporarily unavailable: its database cannot be reached. Retry shortly.');
    }
    this.log.error({ reqId: req.requestId, operation, err: e }, 'unexpected failure');
    return new InternalFailureException(`An internal error occurred (request ${req.requestId}).`);
  }
}
