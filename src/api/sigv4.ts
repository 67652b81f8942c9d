import { createHmac } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { getCanonicalHeaders, SignatureV4Base } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import {
  IncompleteSignatureException,
  InvalidSignatureException,
  MissingAuthenticationTokenException,
  UnrecognizedClientException,
} from '../base/errors.js';
import { constantTimeEqual, HmacSha256, sha256Hex } from './hmac.js';
import { BoundedMemo } from './memo.js';

export interface Credential {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
}

export interface Principal {
  accessKeyId: string;
  accountId: string;
  region: string;
  service: string;
}

/** Older clients (2022 models) sign for `execute-api`, current ones for `iot`. */
const SERVICES = new Set(['iot', 'execute-api']);
export const DEFAULT_SKEW_MS = 15 * 60 * 1000;

const AUTH_RE = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-fA-F]+)\s*$/;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface SignedRequest {
  method: string;
  /** The path exactly as sent (percent-encoded), without the query string. */
  rawPath: string;
  query: Map<string, string[]>;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * The canonical request exactly as @smithy/signature-v4 (the JS SDK's own signer) builds it:
 * double-encoded, normalised path; sorted, RFC 3986-encoded query; then headers and payload hash.
 */
class Canonicalizer extends SignatureV4Base {
  /**
   * A path's canonical form depends on nothing else, and clients send the same paths again and
   * again. Both memos fill before the signature is checked, hence their small bounds.
   */
  private readonly paths = new BoundedMemo<string>(2_000);
  /** The same SignedHeaders list arrives on almost every request of a client. */
  private readonly signable = new BoundedMemo<Set<string>>(200);

  constructor() {
    super({ service: 'iot', region: 'us-east-1', credentials: { accessKeyId: '', secretAccessKey: '' }, sha256: Hash.bind(null, 'sha256'), uriEscapePath: true });
    // The library's own path canonicalisation (private in its typings), memoised per path.
    const self = this as unknown as { getCanonicalPath(request: HttpRequest): string };
    const canonicalPath = self.getCanonicalPath.bind(this);
    self.getCanonicalPath = (request) => this.paths.get(request.path, () => canonicalPath(request));
  }

  request(method: string, path: string, query: Record<string, string | string[]>, headers: Record<string, string>, signedHeaders: string, payloadHash: string): string {
    const request = { method, path, query, headers, protocol: 'http:', hostname: '' } as HttpRequest;
    const signable = this.signable.get(signedHeaders, () => new Set(signedHeaders.split(';')));
    return this.createCanonicalRequest(request, getCanonicalHeaders(request, undefined, signable), payloadHash);
  }
}


/** Signing keys are derived once per (secret, day, region, service), not per request. */
class SigningKeys {
  private readonly keys = new Map<string, HmacSha256>();
  get(secret: string, shortDate: string, region: string, service: string): HmacSha256 {
    const id = `${shortDate}/${region}/${service}/${secret}`;
    let key = this.keys.get(id);
    if (!key) {
      if (this.keys.size >= 1000) this.keys.clear();
      key = new HmacSha256(hmac(hmac(hmac(hmac(`AWS4${secret}`, shortDate), region), service), 'aws4_request'));
      this.keys.set(id, key);
    }
    return key;
  }
}

const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/**
 * Verifies SigV4 header authentication. The canonical request is @smithy/signature-v4's (the
 * signer the JS SDK uses); hashing is node:crypto with cached signing keys. This module parses
 * the Authorization header, checks the scope, the clock skew and the payload hash, and compares
 * signatures in constant time.
 */
export class SigV4Verifier {
  private readonly canonical = new Canonicalizer();
  private readonly signingKeys = new SigningKeys();

  constructor(
    private readonly credentials: Map<string, Credential>,
    private readonly now: () => Date = () => new Date(),
    private readonly skewMs = DEFAULT_SKEW_MS,
  ) {}

  async verify(req: SignedRequest): Promise<Principal> {
    const auth = header(req.headers, 'authorization');
    if (!auth) throw new MissingAuthenticationTokenException();
    const m = AUTH_RE.exec(auth);
    if (!m) {
      throw new IncompleteSignatureException(
        `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters of the AWS4-HMAC-SHA256 algorithm. Authorization=${auth.slice(0, 80)}`,
      );
    }
    const [, credentialText, signedHeadersText, signature] = m;
    const scope = credentialText.split('/');
    if (scope.length !== 5 || scope[4] !== 'aws4_request') {
      throw new IncompleteSignatureException(`Credential should be scoped to a valid region, not '${credentialText}'. Expected AKID/YYYYMMDD/region/service/aws4_request.`);
    }
    const [accessKeyId, shortDate, region, service] = scope;
    const cred = this.credentials.get(accessKeyId);
    if (!cred) throw new UnrecognizedClientException();
    if (!SERVICES.has(service)) {
      throw new InvalidSignatureException(`Credential should be scoped to correct service: 'iot'. Got '${service}'.`);
    }
    if (!/^[a-z0-9-]{1,50}$/.test(region)) throw new InvalidSignatureException(`Credential should be scoped to a valid region, not '${region}'.`);

    const amzDate = header(req.headers, 'x-amz-date');
    if (!amzDate) throw new IncompleteSignatureException("Authorization header requires existence of the 'X-Amz-Date' header.");
    const signingDate = parseAmzDate(amzDate);
    if (!signingDate) throw new IncompleteSignatureException(`X-Amz-Date '${amzDate}' is not of the form YYYYMMDDTHHMMSSZ.`);
    if (amzDate.slice(0, 8) !== shortDate) {
      throw new InvalidSignatureException(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${shortDate}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`);
    }
    const now = this.now();
    const delta = signingDate.getTime() - now.getTime();
    if (delta < -this.skewMs) {
      throw new InvalidSignatureException(`Signature expired: ${amzDate} is now earlier than ${amz(new Date(now.getTime() - this.skewMs))} (${amz(now)} - 15 min.)`);
    }
    if (delta > this.skewMs) {
      throw new InvalidSignatureException(`Signature not yet current: ${amzDate} is still later than ${amz(new Date(now.getTime() + this.skewMs))} (${amz(now)} + 15 min.)`);
    }

    const signedList = signedHeadersText.toLowerCase();
    const signedNames = signedList.split(';');
    if (!signedNames.includes('host')) throw new InvalidSignatureException("'Host' must be a signed header.");
    const headers: Record<string, string> = {};
    for (const name of signedNames) {
      const v = req.headers[name];
      if (v === undefined) throw new InvalidSignatureException(`The signed header '${name}' is missing from the request.`);
      headers[name] = Array.isArray(v) ? v.join(',') : v;
    }
    const declaredHash = header(req.headers, 'x-amz-content-sha256');
    const bodyHash = req.body.length ? sha256Hex(req.body) : EMPTY_SHA256;
    // S3's UNSIGNED-PAYLOAD would leave the body unsigned; the AWS IoT clients always sign it.
    if (declaredHash === 'UNSIGNED-PAYLOAD') {
      throw new InvalidSignatureException('x-amz-content-sha256 UNSIGNED-PAYLOAD is not accepted: sign the SHA-256 of the request body.');
    }
    if (declaredHash && declaredHash !== bodyHash) {
      throw new InvalidSignatureException('The provided x-amz-content-sha256 header does not match the SHA-256 of the request body.');
    }
    const payloadHash = headers['x-amz-content-sha256'] ?? bodyHash;

    const query: Record<string, string | string[]> = {};
    for (const [k, values] of req.query) query[k] = values.length === 1 ? values[0] : values;
    const canonicalRequest = this.canonical.request(req.method, req.rawPath, query, headers, signedList, payloadHash);
    const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${shortDate}/${region}/${service}/aws4_request\n${sha256Hex(canonicalRequest)}`;
    const expected = this.signingKeys.get(cred.secretAccessKey, shortDate, region, service).hex(stringToSign);
    if (!constantTimeEqual(expected, signature.toLowerCase())) {
      throw new InvalidSignatureException(
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      );
    }
    return { accessKeyId, accountId: cred.accountId, region, service };
  }
}

function header(headers: SignedRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Requests signed in the same second carry the same X-Amz-Date: the last one parsed is kept. */
let lastAmzDate: { text: string; date: Date | undefined } = { text: '', date: undefined };

function parseAmzDate(text: string): Date | undefined {
  if (text !== lastAmzDate.text) lastAmzDate = { text, date: parseAmzDateText(text) };
  return lastAmzDate.date;
}

function parseAmzDateText(text: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return undefined;
  const t = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return Number.isNaN(t) ? undefined : new Date(t);
}

function amz(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}
