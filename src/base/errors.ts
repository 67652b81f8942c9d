/**
 * The one base class for every error Warden answers with. Generated classes in
 * src/generated/errors.ts extend it with the status and fault the model gives; the
 * serializer in ./serialize.ts is the only place that turns one into HTTP.
 */
export class ServiceError extends Error {
  constructor(
    /** The error shape name, sent as `x-amzn-ErrorType`. */
    readonly code: string,
    readonly status: number,
    readonly fault: 'client' | 'server',
    message: string,
    /** Modeled members beside `message` (for example resourceId, resourceArn). */
    readonly members: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = code;
  }
}

/** Errors that are not shapes of the IoT model: authentication (answered by AWS's front end) and routing. */
export class MissingAuthenticationTokenException extends ServiceError {
  constructor(message = 'Missing Authentication Token') {
    super('MissingAuthenticationTokenException', 403, 'client', message);
  }
}
export class UnrecognizedClientException extends ServiceError {
  constructor(message = 'The security token included in the request is invalid.') {
    super('UnrecognizedClientException', 403, 'client', message);
  }
}
export class InvalidSignatureException extends ServiceError {
  constructor(message: string) {
    super('InvalidSignatureException', 403, 'client', message);
  }
}
export class IncompleteSignatureException extends ServiceError {
  constructor(message: string) {
    super('IncompleteSignatureException', 403, 'client', message);
  }
}
export class NotImplementedException extends ServiceError {
  constructor(operation: string) {
    super('NotImplementedException', 501, 'server', `Warden does not implement the operation ${operation} yet.`);
  }
}
export class UnknownOperationException extends ServiceError {
  constructor(method: string, path: string) {
    super('UnknownOperationException', 404, 'client', `No AWS IoT operation matches ${method} ${path}`);
  }
}
