import '../registry/x509.js'; // sets @peculiar/x509's crypto provider (node's WebCrypto)
import { createHash } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { Scope } from '../base/scope.js';
import { UPLOADED, type CrlHeader } from '../store/crls.js';
import type { Repos } from '../store/store.js';
import type { CheckContext } from './check.js';
import { CrlFormatError, nodeName, oneLine, readCrl } from './crl-der.js';
import { crlFetchSettings, fetchCrlBytes } from './crl-fetch.js';

/**
 * Certificate revocation lists for the three revocation checks: decoding, verification with the
 * issuer's key, the per-audit refresh of the distribution points the certificates name, and the
 * CRLs in force. Where they come from: uploads (POST /_warden/crls) and the URLs in the
 * certificates' CRL distribution points (certificates.crl_urls, ca_certificates.crl_urls).
 */
export { CrlFormatError } from './crl-der.js';

export interface ParsedCrl {
  /** Hex SHA-256 of the DER. */
  id: string;
  der: Buffer;
  /** The issuer in node's form (as ca_certificates.subject and certificates.issuer hold it). */
  issuer: string;
  thisUpdate: Date;
  nextUpdate?: Date;
  serials: string[];
}

const PEM = /-----BEGIN (?:X509 )?CRL-----([\s\S]*?)-----END (?:X509 )?CRL-----/;

/** The DER of a CRL given as PEM ("X509 CRL" or "CRL"), as base64 DER text, or as DER bytes. */
export function decodeCrl(input: string | Buffer): Buffer {
  if (Buffer.isBuffer(input)) {
    if (input[0] === 0x30) return input;
    input = input.toString('latin1');
  }
  const m = PEM.exec(input);
  const body = (m ? m[1] : input).replace(/\s+/g, '');
  if (!body || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
    throw new CrlFormatError('it is neither PEM (-----BEGIN X509 CRL-----) nor base64 DER');
  }
  return Buffer.from(body, 'base64');
}

export function parseCrl(der: Buffer): ParsedCrl {
  const f = readCrl(der);
  return {
    id: createHash('sha256').update(der).digest('hex'),
    der,
    issuer: nodeName(f.issuerDer),
    thisUpdate: f.thisUpdate,
    nextUpdate: f.nextUpdate,
    serials: f.serials,
  };
}

/** Whether the CRL's signature verifies with the key of the certificate `issuerPem`. */
export async function signedBy(der: Buffer, issuerPem: string): Promise<boolean> {
  try {
    return await new x509.X509Crl(new Uint8Array(der)).verify({ publicKey: new x509.X509Certificate(issuerPem) });
  } catch {
    return false; // an algorithm the key cannot verify, or bytes @peculiar/x509 cannot read
  }
}

type IssuerVerdict = { ok: true; caCertificateId: string } | { ok: false; problem: string };

/** Finds the registered CA certificate (subject = the CRL's issuer) whose key verifies the CRL. */
export async function verifyWithRegisteredCa(repos: Pick<Repos, 'caCertificates'>, scope: Scope, crl: ParsedCrl): Promise<IssuerVerdict> {
  const candidates = await repos.caCertificates.bySubject(scope, crl.issuer);
  if (!candidates.length) {
    return { ok: false, problem: `no CA certificate registered in ${scope.region} has the CRL's issuer as subject (${oneLine(crl.issuer)}), so its signature cannot be verified` };
  }
  for (const ca of candidates) {
    if (await signedBy(crl.der, ca.pem)) return { ok: true, caCertificateId: ca.certificateId };
  }
  return { ok: false, problem: `the CRL's signature does not verify with the issuer's key (registered CA certificate ${candidates.map((c) => c.certificateId).join(', ')})` };
}

// --- Distribution points, fetched once per audit ---------------------------------------------------

/** A CRL without a nextUpdate is fetched again after this long. */
const REFETCH_WITHOUT_NEXT_UPDATE_MS = 24 * 3600_000;

interface AuditFetches {
  /** performance.now() when the first check of the audit asked. */
  created: number;
  /** Every URL asked for in this audit and what became of it (a problem, or undefined when usable). */
  urls: Map<string, Promise<string | undefined>>;
  active: number;
  queue: (() => void)[];
}

/**
 * Audits in flight, by scope and start time: the three checks of one audit share their fetches.
 * An entry lives a few minutes, long enough for one audit's checks, so a later audit that happens
 * to carry the same start time (a test's stopped clock) fetches again.
 */
const audits = new Map<string, AuditFetches>();
const KEPT_AUDITS = 64;
const AUDIT_MEMO_MS = 5 * 60_000;

function fetchesOf(ctx: CheckContext): AuditFetches {
  const key = `${ctx.scope.accountId}/${ctx.scope.region}/${ctx.taskId}`;
  let a = audits.get(key);
  if (a && performance.now() - a.created > AUDIT_MEMO_MS) {
    audits.delete(key);
    a = undefined;
  }
  if (!a) {
    if (audits.size >= KEPT_AUDITS) audits.delete(audits.keys().next().value!);
    a = { created: performance.now(), urls: new Map(), active: 0, queue: [] };
    audits.set(key, a);
  }
  return a;
}

async function limited<T>(a: AuditFetches, fn: () => Promise<T>): Promise<T> {
  if (a.active >= crlFetchSettings.concurrency) await new Promise<void>((resolve) => a.queue.push(resolve));
  a.active++;
  try {
    return await fn();
  } finally {
    a.active--;
    a.queue.shift()?.();
  }
}

const fresh = (c: CrlHeader, now: Date): boolean =>
  c.nextUpdate ? now.getTime() < c.nextUpdate.getTime() : now.getTime() - c.storedAt.getTime() < REFETCH_WITHOUT_NEXT_UPDATE_MS;

/**
 * Makes sure each URL's CRL is stored and current (fetching those never fetched or past their
 * nextUpdate, each URL at most once per audit). Answers the problems, one sentence each. The
 * fetches one check starts share a time budget, so a check ends well within the runner's lease.
 */
export async function refreshCrls(ctx: CheckContext, urls: Iterable<string>): Promise<string[]> {
  const a = fetchesOf(ctx);
  const budget = AbortSignal.any([AbortSignal.timeout(crlFetchSettings.checkBudgetMs), ctx.signal]);
  const outcomes: Promise<string | undefined>[] = [];
  for (const url of urls) {
    let p = a.urls.get(url);
    if (!p) {
      p = limited(a, () => refreshOne(ctx, url, budget)).catch((e: Error) => `${url}: ${e.message}`);
      a.urls.set(url, p);
    }
    outcomes.push(p);
  }
  return (await Promise.all(outcomes)).filter((p): p is string => p !== undefined);
}

async function refreshOne(ctx: CheckContext, url: string, budget: AbortSignal): Promise<string | undefined> {
  const cached = await ctx.repos.crls.newest(ctx.scope, url);
  if (cached && fresh(cached, ctx.now)) return undefined;
  const kept = cached ? `; the copy stored ${cached.storedAt.toISOString()} is used` : '';
  let crl: ParsedCrl;
  try {
    crl = parseCrl(decodeCrl(await fetchCrlBytes(url, budget)));
  } catch (e) {
    return `CRL ${url} could not be fetched or read (${(e as Error).message})${kept}`;
  }
  const verdict = await verifyWithRegisteredCa(ctx.repos, ctx.scope, crl);
  if (!verdict.ok) return `CRL ${url} was ignored: ${verdict.problem}${kept}`;
  if (cached && crl.thisUpdate.getTime() < cached.thisUpdate.getTime()) return undefined; // the server went back to an older CRL: keep the newer
  // The one write a check makes: the fetched CRL, in its own short transaction.
  await ctx.repos.crls.replace(ctx.scope, {
    crlId: crl.id,
    issuer: crl.issuer,
    der: crl.der,
    thisUpdate: crl.thisUpdate,
    nextUpdate: crl.nextUpdate,
    source: url,
    storedAt: ctx.now,
  });
  return undefined;
}

// --- The CRLs in force ---------------------------------------------------------------------------------

interface CrlInForce {
  header: CrlHeader;
  /** Revoked serial numbers, in the form certificates.serial_number holds. */
  serials: string[];
}

/**
 * The CRLs the checks use: for each distribution point URL its newest copy, and for each issuer
 * its newest upload (every stored CRL was verified when stored). A serial listed in any of them
 * counts as revoked by that issuer. Only the issuers in `issuers` when given. One at a time, so a
 * scope with large CRLs never holds them all in memory.
 */
export async function* crlsInForce(repos: Pick<Repos, 'crls'>, scope: Scope, issuers?: ReadonlySet<string>, problems?: string[]): AsyncGenerator<CrlInForce> {
  const repo = repos.crls;
  const newest = new Map<string, CrlHeader>();
  for (const h of await repo.headers(scope)) {
    if (issuers && !issuers.has(h.issuer)) continue;
    const key = h.source === UPLOADED ? `${UPLOADED}\n${h.issuer}` : h.source;
    const seen = newest.get(key);
    if (!seen || seen.thisUpdate.getTime() < h.thisUpdate.getTime()) newest.set(key, h);
  }
  for (const header of newest.values()) {
    const der = await repo.der(scope, header.crlId);
    if (!der) continue; // replaced since the headers were read
    try {
      yield { header, serials: readCrl(der).serials };
    } catch (e) {
      problems?.push(`stored CRL ${header.crlId} could not be read (${(e as Error).message})`);
    }
  }
}

const MESSAGE_MAX = 2000;

/** auditDetails.message for the problems met (undefined when none), within the model's 2048 characters. */
export function problemsMessage(problems: readonly string[]): string | undefined {
  if (!problems.length) return undefined;
  let message = `Some CRLs could not be used, so certificates they cover were not checked against them: ${problems[0]}`;
  let shown = 1;
  for (; shown < problems.length; shown++) {
    const rest = problems.length - shown - 1;
    const next = `${message}; ${problems[shown]}`;
    if (next.length + (rest ? 30 : 0) > MESSAGE_MAX) break;
    message = next;
  }
  if (shown < problems.length) message += `; and ${problems.length - shown} more`;
  return `${message}.`.slice(0, MESSAGE_MAX);
}

// --- Shared by the three checks ------------------------------------------------------------------------

interface DeviceSurvey {
  /** ACTIVE and PENDING_TRANSFER device certificates (the checks' totalResourcesCount). */
  audited: number;
  /** The distinct distribution point URLs they name. */
  urls: Set<string>;
}

/**
 * Counts the audited device certificates and collects their CRL URLs in one pass, grouped by
 * their distribution points (none for most certificates). It is the one read of the whole
 * certificates table the revocation checks make.
 */
export async function surveyDeviceCertificates(repos: Pick<Repos, 'certificateAudit'>, scope: Scope): Promise<DeviceSurvey> {
  const survey: DeviceSurvey = { audited: 0, urls: new Set() };
  for (const g of await repos.certificateAudit.crlUrlSurvey(scope)) {
    survey.audited += g.count;
    for (const u of g.crlUrls) survey.urls.add(u);
  }
  return survey;
}
