import { randomUUID } from 'node:crypto';
import type { Clock } from '../base/clock.js';
import type { Scope } from '../base/scope.js';
import { CertificateStateException, InvalidRequestException, ResourceNotFoundException } from '../generated/errors.js';
import type { CaCertificateRecord, RegistrationConfigRecord } from '../store/ca-certificates.js';
import type { CertificateRecord, CertificateStatusRecord } from '../store/certificates.js';
import type { Repos } from '../store/repos.js';
import type { StoreTx } from '../store/store.js';
import type { ThingPrincipalType } from '../generated/shapes.js';
import { iotArn } from './arn.js';
import { awsError } from './aws-messages.js';
import { certificateFacts } from './cert-facts.js';
import { caCertificateStatusChanged, certificateStatusChanged } from './certificate-events.js';
import { policiesChanged } from './policy-events.js';
import { createCa, signerFrom, type ParsedCertificate, type Signer } from './x509.js';

/**
 * The certificate family's rules, shared by its operations and by the mitigation engine
 * (UPDATE_DEVICE_CERTIFICATE, UPDATE_CA_CERTIFICATE, ADD_THINGS_TO_THING_GROUP). Functions take
 * a transaction (or `ctx.store.repos`) and the scope; those that write also need the scope's clock.
 */
export type ClockedScope = Scope & { readonly clock: Clock };

export const certificateArn = (scope: Scope, id: string): string => iotArn(scope, `cert/${id}`);
export const caCertificateArn = (scope: Scope, id: string): string => iotArn(scope, `cacert/${id}`);

/** Certificate ids are lower-case hex; the model's pattern also admits upper case and a 0x prefix. */
export const normalizeId = (id: string): string => id.toLowerCase().replace(/^0x/, '');

export async function getCertificate(db: Repos, scope: Scope, certificateId: string): Promise<CertificateRecord | undefined> {
  return db.certificates.get(scope, normalizeId(certificateId));
}

const certificateNotFound = (scope: Scope, certificateId: string): Error => new ResourceNotFoundException(`Certificate ${certificateId} does not exist in ${scope.region}.`);

export async function requireCertificate(db: Repos, scope: Scope, certificateId: string): Promise<CertificateRecord> {
  const c = await getCertificate(db, scope, certificateId);
  if (!c) throw certificateNotFound(scope, certificateId);
  return c;
}

export async function requireCaCertificate(db: Repos, scope: Scope, certificateId: string): Promise<CaCertificateRecord> {
  const c = await db.caCertificates.get(scope, normalizeId(certificateId));
  if (!c) throw new ResourceNotFoundException(`CA certificate ${certificateId} does not exist in ${scope.region}.`);
  return c;
}

/**
 * "Setting the status to PENDING_TRANSFER or PENDING_ACTIVATION will result in an exception being
 * thrown": those are AWS's own statuses (transfers, auto-registration), never a caller's.
 */
export function assertSettableStatus(status: string, member: string): void {
  if (status === 'PENDING_TRANSFER' || status === 'PENDING_ACTIVATION') {
    throw new InvalidRequestException(`${member} cannot be ${status}: that status is set by AWS IoT itself, not by a request.`);
  }
}

/** One certificate's result in updateCertificateStatuses: its record after the call, or the error AWS answers for it. */
export type CertificateStatusResult = { certificate: CertificateStatusRecord; error?: undefined } | { error: Error };

/**
 * UpdateCertificate's state machine, for a batch of certificates: one for the operation, the
 * claimed batch for UPDATE_DEVICE_CERTIFICATE. The same status again succeeds and changes nothing;
 * REVOKED is final; a certificate pending transfer changes only through the transfer operations.
 * Each change gets a new generationId and a customerVersion one higher. The batch is read in one
 * query and written in one UPDATE per chunk; the ids are taken in order, as if one call were made
 * for each (an id given twice changes once), and a refused or missing one answers its error and
 * writes nothing.
 */
export async function updateCertificateStatuses(tx: Repos, scope: ClockedScope, certificateIds: readonly string[], newStatus: string): Promise<CertificateStatusResult[]> {
  assertSettableStatus(newStatus, 'newStatus');
  const current = await tx.certificates.statuses(scope, certificateIds.map(normalizeId));
  const changed = new Map<string, CertificateStatusRecord>();
  let modifiedAt: Date | undefined; // read from the clock only when something changes, as one call would
  const results = certificateIds.map((given): CertificateStatusResult => {
    const c = current.get(normalizeId(given));
    if (!c) return { error: certificateNotFound(scope, given) };
    if (c.status === newStatus) return { certificate: c };
    if (c.status === 'REVOKED') {
      return { error: new CertificateStateException(`Certificate ${c.certificateId} is REVOKED; a revoked certificate cannot change to ${newStatus}.`) };
    }
    if (c.status === 'PENDING_TRANSFER') {
      return { error: new CertificateStateException(`Certificate ${c.certificateId} is PENDING_TRANSFER; cancel or reject the transfer before changing its status.`) };
    }
    const next = { ...c, status: newStatus, generationId: randomUUID(), customerVersion: c.customerVersion + 1, modifiedAt: (modifiedAt ??= scope.clock.now()) };
    current.set(c.certificateId, next);
    changed.set(c.certificateId, next);
    return { certificate: next };
  });
  if (!modifiedAt) return results;
  await tx.certificates.setStatuses(scope, newStatus, modifiedAt, [...changed.values()]);
  for (const id of changed.keys()) certificateStatusChanged(scope, id, newStatus);
  return results;
}

/** UpdateCertificate: updateCertificateStatuses for one certificate; its error is thrown. */
export async function updateCertificateStatus(tx: Repos, scope: ClockedScope, certificateId: string, newStatus: string): Promise<CertificateStatusRecord> {
  const [r] = await updateCertificateStatuses(tx, scope, [certificateId], newStatus);
  if (r.error) throw r.error;
  return r.certificate;
}

export interface CaCertificateChanges {
  status?: string;
  autoRegistrationStatus?: string;
  /** A new registration config, or null to remove it. */
  registrationConfig?: RegistrationConfigRecord | null;
}

/** Applies the changes to a CA certificate; nothing changes (no new generation) when every value is already in place. */
export async function updateCaCertificate(tx: Repos, scope: ClockedScope, certificateId: string, changes: CaCertificateChanges): Promise<CaCertificateRecord> {
  const c = await requireCaCertificate(tx, scope, certificateId);
  const next: CaCertificateRecord = {
    ...c,
    status: changes.status ?? c.status,
    autoRegistrationStatus: changes.autoRegistrationStatus ?? c.autoRegistrationStatus,
    registrationConfig: changes.registrationConfig === null ? undefined : (changes.registrationConfig ?? c.registrationConfig),
  };
  const same =
    next.status === c.status &&
    next.autoRegistrationStatus === c.autoRegistrationStatus &&
    JSON.stringify(next.registrationConfig ?? null) === JSON.stringify(c.registrationConfig ?? null);
  if (same) return c;
  const updated = { ...next, generationId: randomUUID(), customerVersion: c.customerVersion + 1, modifiedAt: scope.clock.now() };
  await tx.caCertificates.update(scope, updated);
  if (updated.status !== c.status) caCertificateStatusChanged(scope, c.certificateId, updated.status);
  return updated;
}

/** UPDATE_CA_CERTIFICATE's path (ACTIVE or INACTIVE; already in that status is a success). */
export async function updateCaCertificateStatus(tx: Repos, scope: ClockedScope, certificateId: string, newStatus: string): Promise<CaCertificateRecord> {
  return updateCaCertificate(tx, scope, certificateId, { status: newStatus });
}

/** Every thing the principal (a certificate ARN or a Cognito id) is attached to, in name order. */
export async function thingsOfPrincipal(db: Repos, scope: Scope, principalArn: string): Promise<string[]> {
  const names: string[] = [];
  for (;;) {
    const page = await db.thingPrincipals.byPrincipal(scope, principalArn, { after: names[names.length - 1], limit: 250 });
    names.push(...page.slice(0, 250).map((r) => r.thingName));
    if (page.length <= 250) return names;
  }
}

/** The certificate id of a principal that is a certificate ARN of this account and region (else undefined). */
export function certificateIdOfPrincipal(principal: string): { id: string; region: string; accountId: string } | undefined {
  const m = /^arn:aws[a-z-]*:iot:([^:]*):(\d{12}):cert\/([0-9a-fA-F]{64})$/.exec(principal);
  return m ? { region: m[1], accountId: m[2], id: m[3].toLowerCase() } : undefined;
}

/**
 * For a principal that is a certificate ARN: the certificate must be registered in this account
 * and region ("The certificate given in the principal does not exist"). Other principals
 * (Cognito identities) pass unchecked.
 */
export async function assertPrincipalExists(db: Repos, scope: Scope, principal: string): Promise<void> {
  const cert = certificateIdOfPrincipal(principal);
  if (!cert && !principal.includes(':cert/')) return;
  const here = cert && cert.region === scope.region && cert.accountId === scope.accountId;
  if (!here || !(await db.certificates.get(scope, cert.id))) {
    throw new ResourceNotFoundException(`The certificate given in the principal does not exist: ${principal}`);
  }
}

/** Inserts a device certificate; one already registered in the scope answers AWS's ResourceAlreadyExistsException. */
export async function registerDeviceCertificate(
  db: Repos,
  scope: ClockedScope,
  parsed: ParsedCertificate,
  opts: { status: string; certificateMode: string; caCertificateId?: string },
): Promise<{ certificateArn: string; certificateId: string }> {
  const now = scope.clock.now();
  const arn = certificateArn(scope, parsed.id);
  const inserted = await db.certificates.insertIfAbsent(scope, {
    certificateId: parsed.id,
    arn,
    status: opts.status,
    caCertificateId: opts.caCertificateId,
    pem: parsed.pem,
    certificateMode: opts.certificateMode,
    ownedBy: scope.accountId,
    generationId: randomUUID(),
    customerVersion: 1,
    notBefore: parsed.notBefore,
    notAfter: parsed.notAfter,
    createdAt: now,
    modifiedAt: now,
  }, certificateFacts(parsed.cert));
  if (!inserted) throw alreadyRegistered(scope, parsed.id);
  return { certificateArn: arn, certificateId: parsed.id };
}

const alreadyRegistered = (scope: Scope, id: string): Error =>
  awsError('certificateAlreadyRegistered', {}, { resourceId: id, resourceArn: certificateArn(scope, id) });

/**
 * A certificate already registered in the scope answers AWS's ResourceAlreadyExistsException
 * whatever its issuer, so registrations check this before they look at the CA.
 */
export async function assertNotRegistered(db: Repos, scope: Scope, certificateId: string): Promise<void> {
  if (await db.certificates.get(scope, certificateId)) throw alreadyRegistered(scope, certificateId);
}

const signers = new Map<string, { certPem: string; signer: Promise<Signer> }>();

/**
 * The account's Warden CA (all regions share it), created and stored on first use so it survives
 * restarts; the imported key is kept in memory for as long as the stored CA is the same.
 */
export async function wardenSigner(db: Repos, scope: ClockedScope): Promise<Signer> {
  let row = await db.wardenCas.get(scope.accountId);
  if (!row) {
    const ca = await createCa(`CN=Warden IoT CA ${scope.accountId}, O=Warden`, scope.clock.now());
    await db.wardenCas.insertIfAbsent({ accountId: scope.accountId, ...ca }, scope.clock.now());
    row = (await db.wardenCas.get(scope.accountId))!;
  }
  const cached = signers.get(scope.accountId);
  if (cached && cached.certPem === row.certPem) return cached.signer;
  const signer = signerFrom(row.certPem, row.keyPem);
  signer.catch(() => signers.delete(scope.accountId));
  signers.set(scope.accountId, { certPem: row.certPem, signer });
  return signer;
}

/** The thing, or ResourceNotFoundException in AWS's words. */
export async function requireThing(db: Repos, scope: Scope, thingName: string): Promise<void> {
  if (!(await db.thingPrincipals.thingExists(scope, thingName))) {
    throw new ResourceNotFoundException(`Thing ${thingName} does not exist in ${scope.region}.`);
  }
}

/**
 * AttachThingPrincipal: attaches a principal (certificate ARN or Cognito id) to a thing.
 * EXCLUSIVE_THING: "The thing will be the only thing that's attached to the principal", so
 * neither an exclusive attachment next to other things nor any attachment next to another thing's
 * exclusive one is allowed. Attaching again succeeds and sets the type. The thing's groups'
 * policies and its variables now apply to the principal's sessions (policiesChanged).
 */
export async function attachThingPrincipal(tx: StoreTx, scope: ClockedScope, thingName: string, principal: string, type: ThingPrincipalType): Promise<void> {
  const cert = certificateIdOfPrincipal(principal);
  await tx.lock(scope, cert ? `cert/${cert.id}` : `principal/${principal}`);
  await requireThing(tx, scope, thingName);
  await assertPrincipalExists(tx, scope, principal);
  const others = (await tx.thingPrincipals.byPrincipal(scope, principal, { limit: 250 })).filter((r) => r.thingName !== thingName);
  const exclusive = others.find((r) => r.principalType === 'EXCLUSIVE_THING');
  if (exclusive) {
    throw new InvalidRequestException(`Principal ${principal} is attached exclusively to thing ${exclusive.thingName}; detach it there first.`);
  }
  if (type === 'EXCLUSIVE_THING' && others.length > 0) {
    throw new InvalidRequestException(
      `Principal ${principal} is already attached to ${others.map((r) => r.thingName).slice(0, 5).join(', ')}; it cannot be attached exclusively to ${thingName}.`,
    );
  }
  await tx.thingPrincipals.put(scope, { thingName, principal, principalType: type, createdAt: scope.clock.now() });
  policiesChanged(scope);
}

/** DetachThingPrincipal: the thing must exist; a principal that is not attached to it is already detached. */
export async function detachThingPrincipal(db: Repos, scope: Scope, thingName: string, principal: string): Promise<void> {
  await requireThing(db, scope, thingName);
  await db.thingPrincipals.delete(scope, thingName, principal);
  policiesChanged(scope);
}
