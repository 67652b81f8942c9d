import type { KeyObject } from 'node:crypto';
import { hasRocaFingerprint } from './roca.js';

/** AWS's reason code for keys from Infineon's RSA library (ROCA). */
export const KEY_VULNERABILITY_ROCA = 'CERTIFICATE_KEY_VULNERABILITY_CVE-2017-15361';
/**
 * Warden's own reason code for RSA keys under 2048 bits. AWS refuses them at registration, so
 * they only reach an audit through rows that registration did not write (older data, imports).
 */
export const KEY_WEAK_RSA_MODULUS = 'CERTIFICATE_KEY_WEAK_RSA_MODULUS';
export const MIN_RSA_BITS = 2048;

/**
 * The key-quality verdict of a public key, for DEVICE_CERTIFICATE_KEY_QUALITY_CHECK and
 * CA_CERTIFICATE_KEY_QUALITY_CHECK: a reason code, or null when the key is fine. Worked out once
 * when a certificate is stored (microseconds: one JWK export and a few BigInt remainders).
 *
 * Not detected: CVE-2008-0166 (Debian's predictable OpenSSL keys) needs the published blacklist
 * of every key those versions could generate, which Warden does not ship.
 */
export function keyQuality(key: KeyObject): string | null {
  if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'rsa-pss') return null;
  const modulus = rsaModulus(key);
  if (modulus !== undefined && hasRocaFingerprint(modulus)) return KEY_VULNERABILITY_ROCA;
  const bits = key.asymmetricKeyDetails?.modulusLength;
  return bits !== undefined && bits < MIN_RSA_BITS ? KEY_WEAK_RSA_MODULUS : null;
}

/** The modulus n of an RSA public key (undefined for the rare RSA-PSS key with parameters, which has no JWK form). */
function rsaModulus(key: KeyObject): bigint | undefined {
  try {
    const n = key.export({ format: 'jwk' }).n;
    return n ? BigInt(`0x${Buffer.from(n, 'base64url').toString('hex')}`) : undefined;
  } catch {
    return undefined;
  }
}
