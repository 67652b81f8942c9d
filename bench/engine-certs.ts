import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import type { X509Certificate } from '@peculiar/x509';

/**
 * Real, distinct X.509 certificates fast enough for 500,000 of them: one EC P-256 CA and one
 * shared device key; a template certificate is made once (audit-certs' deviceRecipe), then each
 * certificate is the template's TBSCertificate with its own serial number and subject CN patched
 * in (same lengths), signed by the CA with node's ECDSA (about 50 µs). Every certificate is a valid
 * DER certificate that verifies against the CA; its id (AWS's certificateId) is the SHA-256 of its DER.
 *
 * The factory travels to load processes as `CertRecipe` (JSON), so they make certificates on the
 * fly and nothing large is written to disk.
 */
export interface CertRecipe {
  caKeyPkcs8Pem: string;
  /** Base64 DER of the template's TBSCertificate. */
  tbs: string;
  /** Base64 DER of the signatureAlgorithm that follows it. */
  signatureAlgorithm: string;
  serialOffset: number;
  cnOffset: number;
}

export const SERIAL_MARK = '5a5a5a5a5a5a5a5a'; // 8 bytes, positive, minimal DER
const CN_DIGITS = 10;
export const CN_MARK = 'Q'.repeat(CN_DIGITS);

/** Reads a DER TLV header at `at`: where its content starts and how long it is. */
function tlv(der: Uint8Array, at: number): { start: number; length: number; end: number } {
  let length = der[at + 1];
  let start = at + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    length = 0;
    for (let k = 0; k < n; k++) length = length * 256 + der[at + 2 + k];
    start += n;
  }
  return { start, length, end: start + length };
}

function derHeader(tag: number, length: number): Buffer {
  if (length < 0x80) return Buffer.from([tag, length]);
  if (length < 0x100) return Buffer.from([tag, 0x81, length]);
  return Buffer.from([tag, 0x82, length >> 8, length & 0xff]);
}

function indexOfOnce(haystack: Buffer, needle: Buffer, what: string): number {
  const at = haystack.indexOf(needle);
  if (at < 0 || haystack.indexOf(needle, at + 1) >= 0) throw new Error(`the template certificate holds its ${what} marker ${at < 0 ? 'nowhere' : 'twice'}`);
  return at;
}

/**
 * The recipe of a template certificate (serial SERIAL_MARK, subject CN `device-CN_MARK`) signed
 * by the CA whose PKCS#8 key is given: its TBSCertificate, signature algorithm and the offsets
 * CertFactory patches.
 */
export function recipeFrom(template: X509Certificate, caKeyPkcs8Pem: string): CertRecipe {
  const der = Buffer.from(template.rawData);
  const outer = tlv(der, 0);
  const tbs = tlv(der, outer.start);
  const tbsDer = der.subarray(outer.start, tbs.end);
  const alg = tlv(der, tbs.end);
  return {
    caKeyPkcs8Pem,
    tbs: tbsDer.toString('base64'),
    signatureAlgorithm: der.subarray(tbs.end, alg.end).toString('base64'),
    serialOffset: indexOfOnce(tbsDer, Buffer.from(SERIAL_MARK, 'hex'), 'serial'),
    cnOffset: indexOfOnce(tbsDer, Buffer.from(CN_MARK, 'latin1'), 'CN'),
  };
}

export interface BenchCert {
  pem: string;
  /** SHA-256 of the DER, hex: AWS's certificateId. */
  id: string;
}

/** Makes certificate `i` of a recipe: serial 0x41 ‖ i (7 bytes), CN `device-<i, 10 digits>`. */
export class CertFactory {
  private readonly key: KeyObject;
  private readonly tbs: Buffer;
  private readonly alg: Buffer;

  constructor(private readonly r: CertRecipe) {
    this.key = createPrivateKey(r.caKeyPkcs8Pem);
    this.tbs = Buffer.from(r.tbs, 'base64');
    this.alg = Buffer.from(r.signatureAlgorithm, 'base64');
  }

  make(i: number): BenchCert {
    const tbs = Buffer.from(this.tbs);
    tbs[this.r.serialOffset] = 0x41;
    tbs.writeUIntBE(i, this.r.serialOffset + 2, 6);
    tbs[this.r.serialOffset + 1] = 0;
    tbs.write(String(i).padStart(CN_DIGITS, '0'), this.r.cnOffset, 'latin1');
    const sig = sign('sha256', tbs, { key: this.key, dsaEncoding: 'der' });
    const bits = Buffer.concat([derHeader(0x03, sig.length + 1), Buffer.from([0]), sig]);
    const body = Buffer.concat([tbs, this.alg, bits]);
    const der = Buffer.concat([derHeader(0x30, body.length), body]);
    const b64 = der.toString('base64').replace(/.{64}/g, '$&\n');
    return {
      pem: `-----BEGIN CERTIFICATE-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`,
      id: createHash('sha256').update(der).digest('hex'),
    };
  }
}
