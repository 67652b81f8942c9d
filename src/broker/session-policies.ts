import type { X509Certificate } from 'node:crypto';
import type { Scope } from '../base/scope.js';
import type { Repos } from '../store/repos.js';
import { thingsOfPrincipal } from '../registry/certificates.js';
import type { ConnectionFacts, Session, SessionPolicies } from './authorize.js';

/** Node's short DN keys → the names of ${iot:Certificate.Subject.*} / .Issuer.*. */
const DN_NAMES: Record<string, string> = {
  CN: 'CommonName',
  O: 'Organization',
  OU: 'OrganizationalUnit',
  C: 'Country',
  ST: 'State',
  serialNumber: 'SerialNumber',
  title: 'Title',
  SN: 'Surname',
  GN: 'GivenName',
  initials: 'Initials',
  pseudonym: 'Pseudonym',
  generationQualifier: 'GenerationQualifier',
  dnQualifier: 'DistinguishedNameQualifier',
};

/** A DN as node prints it (one `KEY=value` per line) as the policy engine's attributes (the first value of each). */
export function dnVariables(dn: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of dn.split('\n')) {
    const i = line.indexOf('=');
    const name = DN_NAMES[line.slice(0, i)];
    if (i > 0 && name && out[name] === undefined) out[name] = line.slice(i + 1);
  }
  return out;
}

/** `DNS:a, IP Address:1.2.3.4` → the engine's alternative-name kinds (the first of each). */
function altNames(text: string | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  const kinds: Record<string, string> = { DNS: 'DNSName', email: 'RFC822Name', 'IP Address': 'IPAddress', URI: 'UniformResourceIdentifier', DirName: 'DirectoryName' };
  const out: Record<string, string> = {};
  for (const part of text.split(', ')) {
    const i = part.indexOf(':');
    const kind = kinds[part.slice(0, i)];
    if (i > 0 && kind && out[kind] === undefined) out[kind] = part.slice(i + 1);
  }
  return out;
}

export function certificateVariables(cert: X509Certificate): ConnectionFacts['certificate'] {
  return {
    subject: dnVariables(cert.subject),
    issuer: dnVariables(cert.issuer),
    subjectAlternativeName: altNames(cert.subjectAltName),
    serialNumber: cert.serialNumber,
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
  };
}

export type EffectivePolicyDocuments = (repos: Repos, scope: Scope, certificateArn: string, thingName?: string) => Promise<{ policyName: string; document: string }[]>;

/**
 * A session's policies and facts: the thing is the one attached to the certificate whose name is
 * the client id (AWS resolves ${iot:Connection.Thing.*} only then); the documents are those of the
 * certificate and, through that thing, its groups and their parents.
 */
export function sessionPolicies(repos: Repos, documents: EffectivePolicyDocuments): SessionPolicies {
  return async (s: Session) => {
    const scope = { accountId: s.accountId, region: s.region };
    const attached = (await thingsOfPrincipal(repos, scope, s.certificateArn)).includes(s.clientId);
    const thing = attached ? await repos.things.get(scope, s.clientId) : undefined;
    const docs = await documents(repos, scope, s.certificateArn, thing?.name);
    return {
      documents: docs.map((d) => d.document),
      facts: {
        accountId: s.accountId,
        region: s.region,
        clientId: s.clientId,
        thing: thing && { name: thing.name, typeName: thing.thingTypeName, attributes: { ...thing.attributes } },
        certificateId: s.certificateId,
        certificate: certificateVariables(s.cert),
      },
    };
  };
}
