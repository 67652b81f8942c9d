import { generateKeyPairSync, X509Certificate } from 'node:crypto';

/**
 * A small DER reader for certificate revocation lists (RFC 5280 5.1). It reads what the audit
 * needs (issuer, thisUpdate, nextUpdate, the revoked serial numbers) without building an object
 * per entry, so a CRL of a million entries costs one pass over its bytes. (@peculiar/x509 is still
 * used to verify the signature; its parser also drops the revoked list of a CRL that has no
 * nextUpdate, which this one does not.)
 */
export class CrlFormatError extends Error {}

interface CrlFields {
  /** The issuer Name, DER (tag and length included). */
  issuerDer: Buffer;
  thisUpdate: Date;
  nextUpdate?: Date;
  /** Serial numbers of the revoked certificates, in the form certificates.serial_number holds. */
  serials: string[];
}

interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the first content byte. */
  body: number;
  /** Offset just past the content. */
  end: number;
}

function tlv(buf: Buffer, at: number, limit: number): Tlv {
  if (at + 2 > limit) throw new CrlFormatError('truncated DER');
  const tag = buf[at];
  let len = buf[at + 1];
  let body = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new CrlFormatError('unsupported DER length');
    if (body + n > limit) throw new CrlFormatError('truncated DER');
    len = 0;
    for (let k = 0; k < n; k++) len = len * 256 + buf[body + k];
    body += n;
  }
  const end = body + len;
  if (end > limit) throw new CrlFormatError('truncated DER');
  return { tag, start: at, body, end };
}

const SEQUENCE = 0x30;
const INTEGER = 0x02;
const UTC_TIME = 0x17;
const GENERALIZED_TIME = 0x18;

function expect(t: Tlv, tag: number, what: string): Tlv {
  if (t.tag !== tag) throw new CrlFormatError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${t.tag.toString(16)}`);
  return t;
}

const isTime = (tag: number): boolean => tag === UTC_TIME || tag === GENERALIZED_TIME;

function time(buf: Buffer, t: Tlv, what: string): Date {
  const s = buf.toString('latin1', t.body, t.end);
  const m =
    t.tag === UTC_TIME
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s)
      : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(s);
  if (!m) throw new CrlFormatError(`${what} is not a valid time (${s})`);
  let year = Number(m[1]);
  // RFC 5280 4.1.2.5.1: UTCTime years 50-99 are 19xx, 00-49 are 20xx.
  if (t.tag === UTC_TIME) year += year >= 50 ? 1900 : 2000;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

/**
 * A serial number as node's X509Certificate.serialNumber prints it, upper-cased: the integer's
 * bytes without leading zero bytes, two hex digits each ("00FF01" -> "FF01", "0A0B" stays "0A0B").
 */
function serialHex(buf: Buffer, start: number, end: number): string {
  let i = start;
  while (i < end - 1 && buf[i] === 0) i++;
  return buf.toString('hex', i, end).toUpperCase();
}

/** Reads a DER CertificateList; throws CrlFormatError when it is not one. */
export function readCrl(der: Buffer): CrlFields {
  const outer = expect(tlv(der, 0, der.length), SEQUENCE, 'CertificateList');
  if (outer.end !== der.length) throw new CrlFormatError('trailing bytes after the CertificateList');
  const tbs = expect(tlv(der, outer.body, outer.end), SEQUENCE, 'tbsCertList');
  let t = tlv(der, tbs.body, tbs.end);
  if (t.tag === INTEGER) t = tlv(der, t.end, tbs.end); // version v2
  expect(t, SEQUENCE, 'signature algorithm');
  const issuer = expect(tlv(der, t.end, tbs.end), SEQUENCE, 'issuer');
  const thisUpdateTlv = tlv(der, issuer.end, tbs.end);
  if (!isTime(thisUpdateTlv.tag)) throw new CrlFormatError('thisUpdate is missing');
  const fields: CrlFields = { issuerDer: der.subarray(issuer.start, issuer.end), thisUpdate: time(der, thisUpdateTlv, 'thisUpdate'), serials: [] };
  let at = thisUpdateTlv.end;
  if (at < tbs.end) {
    const next = tlv(der, at, tbs.end);
    if (isTime(next.tag)) {
      fields.nextUpdate = time(der, next, 'nextUpdate');
      at = next.end;
    }
  }
  if (at < tbs.end) {
    const list = tlv(der, at, tbs.end);
    if (list.tag === SEQUENCE) {
      for (let e = list.body; e < list.end; ) {
        const entry = expect(tlv(der, e, list.end), SEQUENCE, 'revoked certificate');
        const serial = expect(tlv(der, entry.body, entry.end), INTEGER, 'revoked serial number');
        if (serial.end === serial.body) throw new CrlFormatError('empty serial number');
        fields.serials.push(serialHex(der, serial.body, serial.end));
        e = entry.end;
      }
    }
  }
  return fields;
}

// --- Names in node's form ---------------------------------------------------------------------

function encode(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : n < 0x10000 ? Buffer.from([0x82, n >> 8, n & 0xff]) : Buffer.from([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, content]);
}

/** AlgorithmIdentifier ecdsa-with-SHA256 (a certificate's signature algorithm, inside and outside the TBS part). */
const ECDSA_WITH_SHA256 = Buffer.from('300a06082a8648ce3d040302', 'hex');

let template: { head: Buffer; tail: Buffer } | undefined;

/**
 * The parts of an unsigned certificate around its issuer field. Node only parses it to print the
 * name (nothing verifies its signature), which gives us node's exact rendering of any Name.
 */
function certificateAround(): { head: Buffer; tail: Buffer } {
  if (!template) {
    const spki = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' });
    const head = Buffer.concat([Buffer.from('a003020102', 'hex'), Buffer.from('020101', 'hex'), ECDSA_WITH_SHA256]);
    const validity = encode(SEQUENCE, Buffer.concat([encode(UTC_TIME, Buffer.from('250101000000Z')), encode(UTC_TIME, Buffer.from('260101000000Z'))]));
    const tail = Buffer.concat([validity, Buffer.from('3000', 'hex'), spki]);
    template = { head, tail };
  }
  return template;
}

const names = new Map<string, string>();

/**
 * A DER Name in the form node's X509Certificate prints `issuer` and `subject` (one attribute per
 * line), which is how certificates.issuer and ca_certificates.subject are stored.
 */
export function nodeName(nameDer: Buffer): string {
  const key = nameDer.toString('base64');
  let name = names.get(key);
  if (name === undefined) {
    const { head, tail } = certificateAround();
    const tbs = encode(SEQUENCE, Buffer.concat([head, nameDer, tail]));
    const cert = encode(SEQUENCE, Buffer.concat([tbs, ECDSA_WITH_SHA256, Buffer.from('03020000', 'hex')]));
    try {
      name = new X509Certificate(cert).issuer;
    } catch (e) {
      throw new CrlFormatError(`the issuer name cannot be read: ${(e as Error).message}`);
    }
    if (names.size >= 10_000) names.clear();
    names.set(key, name);
  }
  return name;
}

/** A name on one line (node's lines joined by ", "), for messages and for AWS fields that admit no newline. */
export const oneLine = (name: string): string => name.replace(/\n/g, ', ');
