import { X509Certificate } from 'node:crypto';
import type { Context } from '../context/context.js';
import type { Violation } from '../api/validate.js';
import { oneLine } from '../audit/crl-der.js';
import { CrlFormatError, decodeCrl, parseCrl, signedBy, verifyWithRegisteredCa, type ParsedCrl } from '../audit/crls.js';
import { InvalidRequestException } from '../generated/errors.js';
import { UPLOADED } from '../store/crls.js';
import { refuse, requireObject } from './bodies.js';
import type { SignedHandler } from './handler.js';

/** Larger than any CRL that fits the HTTP body limit; the bound keeps the member's check cheap. */
const MAX_TEXT = 16 * 1024 * 1024;

interface Body {
  crl: string;
  issuerCertificate?: string;
}

const seconds = (d: Date): number => d.getTime() / 1000;

/**
 * POST /_warden/crls: stores a certificate revocation list for the revocation audit checks, for
 * issuers whose distribution points Warden cannot reach (or that have none). The CRL must verify
 * with its issuer's key: the `issuerCertificate` given, else a registered CA certificate whose
 * subject is the CRL's issuer. Per issuer the newest upload is kept; an older one is refused.
 */
export const postCrls: SignedHandler = async ({ body }, ctx) => {
  const value = checkBody(body);
  let crl: ParsedCrl;
  try {
    crl = parseCrl(decodeCrl(value.crl));
  } catch (e) {
    if (!(e instanceof CrlFormatError)) throw e;
    throw new InvalidRequestException(`crl is not a certificate revocation list: ${e.message}.`);
  }
  await verify(crl, value.issuerCertificate, ctx);
  return ctx.store.transaction(async (tx) => {
    await tx.lock(ctx, 'crls');
    const held = await tx.crls.newest(ctx, UPLOADED, crl.issuer);
    if (held && held.crlId !== crl.id && held.thisUpdate.getTime() > crl.thisUpdate.getTime()) {
      throw new InvalidRequestException(
        `crl is older (thisUpdate ${crl.thisUpdate.toISOString()}) than the CRL ${held.crlId} already stored for ${oneLine(crl.issuer)} (thisUpdate ${held.thisUpdate.toISOString()}).`,
      );
    }
    await tx.crls.replace(ctx, { crlId: crl.id, issuer: crl.issuer, der: crl.der, thisUpdate: crl.thisUpdate, nextUpdate: crl.nextUpdate, source: UPLOADED, storedAt: ctx.clock.now() });
    return {
      crlId: crl.id,
      issuer: oneLine(crl.issuer),
      thisUpdate: seconds(crl.thisUpdate),
      ...(crl.nextUpdate ? { nextUpdate: seconds(crl.nextUpdate) } : {}),
      revokedCount: crl.serials.length,
    };
  });
};

function checkBody(body: unknown): Body {
  requireObject(body);
  const b = body;
  const violations: Violation[] = [];
  const text = (name: string, required: boolean): void => {
    const v = b[name];
    if (v === undefined || v === null) {
      if (required) violations.push({ path: name, value: null, constraint: 'Member must not be null' });
    } else if (typeof v !== 'string') {
      violations.push({ path: name, value: v, constraint: 'Member must be a string' });
    } else if (v.length < 1 || v.length > MAX_TEXT) {
      violations.push({ path: name, value: v.length > 64 ? `${v.slice(0, 64)}...` : v, constraint: `Member must have length between 1 and ${MAX_TEXT}` });
    }
  };
  text('crl', true);
  text('issuerCertificate', false);
  for (const k of Object.keys(b)) {
    if (k !== 'crl' && k !== 'issuerCertificate') violations.push({ path: k, value: b[k], constraint: 'Member is not part of the request (crl, issuerCertificate)' });
  }
  if (violations.length) refuse(violations);
  return b as unknown as Body;
}

async function verify(crl: ParsedCrl, issuerPem: string | undefined, ctx: Context): Promise<void> {
  if (issuerPem === undefined) {
    const verdict = await verifyWithRegisteredCa(ctx.store.repos, ctx, crl);
    if (!verdict.ok) {
      throw new InvalidRequestException(
        verdict.problem.startsWith('no CA certificate') ? `issuerCertificate is required: ${verdict.problem}.` : `crl is refused: ${verdict.problem}.`,
      );
    }
    return;
  }
  let issuer: X509Certificate;
  try {
    issuer = new X509Certificate(issuerPem);
  } catch (e) {
    throw new InvalidRequestException(`issuerCertificate is not a PEM X.509 certificate: ${(e as Error).message}.`);
  }
  if (issuer.subject !== crl.issuer) {
    throw new InvalidRequestException(`issuerCertificate is not the CRL's issuer: its subject is ${oneLine(issuer.subject)}, the CRL's issuer is ${oneLine(crl.issuer)}.`);
  }
  if (!(await signedBy(crl.der, issuer.toString()))) {
    throw new InvalidRequestException("crl is refused: the CRL's signature does not verify with the issuer's key (issuerCertificate).");
  }
}
