import { randomUUID } from 'node:crypto';
import type { Scope } from '../base/scope.js';
import { CertificateStateException, InvalidRequestException, TransferAlreadyCompletedException, TransferConflictException } from '../generated/errors.js';
import type { CertificateRecord, LocatedCertificate } from '../store/certificates.js';
import type { Repos } from '../store/repos.js';
import type { StoreTx } from '../store/store.js';
import { policiesChanged } from './policy-events.js';
import { certificateArn, getCertificate, normalizeId, requireCertificate, thingsOfPrincipal, type ClockedScope } from './certificates.js';

/**
 * Certificate transfers between two accounts of one region. The source's row stays where it is
 * while the certificate is PENDING_TRANSFER (the source owns it, audits it and can cancel) and
 * names the target in `transferTarget`; the target lists, describes, accepts or rejects it. Accept
 * moves the row to the target's account (its ARN then names that account); Reject and Cancel
 * leave it with the source, INACTIVE. transferData keeps the latest transfer's message, reason
 * and dates; every step is a new generation with the customer version one higher.
 */

const lockKey = (id: string): string => `cert/${id}`;

const other = (scope: Scope) => (c: LocatedCertificate) => c.accountId !== scope.accountId;
const offeredTo = (scope: Scope) => (c: LocatedCertificate) => other(scope)(c) && c.transferTarget === scope.accountId;
const pending = (c: CertificateRecord) => c.status === 'PENDING_TRANSFER';

/** How the latest transfer of `c` (held by account `holder`) ended, as a sentence. */
function ended(c: CertificateRecord, holder: string): string {
  const t = c.transferData ?? {};
  if (t.acceptDate) return `The transfer of certificate ${c.certificateId} from account ${c.previousOwnedBy} to account ${holder} was accepted on ${t.acceptDate.toISOString()}.`;
  const how = t.rejectDate ? `rejected on ${t.rejectDate.toISOString()}` : 'cancelled by the source account';
  return `The transfer of certificate ${c.certificateId} from account ${holder} to account ${c.transferTarget} was ${how}.`;
}

/** A certificate the caller gave away: another account accepted it (its later transfers are that account's). */
const given = (c: LocatedCertificate): string =>
  `Certificate ${c.certificateId} now belongs to account ${c.accountId}, which accepted its transfer from your account.`;

/** The caller has no certificate with this id: ResourceNotFoundException (or, if one appeared meanwhile, that it is not pending transfer). */
async function notPending(db: Repos, scope: Scope, certificateId: string, toYou: boolean): Promise<never> {
  const c = await requireCertificate(db, scope, certificateId);
  throw new InvalidRequestException(`Certificate ${c.certificateId} is not pending transfer${toYou ? ' to your account' : ''}.`);
}

/**
 * The certificate as DescribeCertificate shows it: the caller's own, else one pending transfer to
 * the caller from another account; else ResourceNotFoundException.
 */
export async function describableCertificate(db: Repos, scope: Scope, certificateId: string): Promise<CertificateRecord> {
  const own = await getCertificate(db, scope, certificateId);
  if (own) return own;
  const offer = (await db.certificates.inRegion(scope.region, normalizeId(certificateId))).find((c) => offeredTo(scope)(c) && pending(c));
  return offer ?? requireCertificate(db, scope, certificateId);
}

/**
 * The certificate pending transfer to the caller (Accept and Reject), or the error that says why
 * there is none: a transfer that already ended (TransferAlreadyCompletedException), a certificate
 * the caller owns and did not receive (InvalidRequestException), or none at all (not found).
 */
async function offerTo(db: Repos, scope: Scope, certificateId: string): Promise<LocatedCertificate> {
  const rows = await db.certificates.inRegion(scope.region, normalizeId(certificateId));
  const offer = rows.find((c) => offeredTo(scope)(c) && pending(c));
  if (offer) return offer;
  const own = rows.find((c) => !other(scope)(c));
  if (own && pending(own)) {
    throw new InvalidRequestException(
      `Certificate ${own.certificateId} is pending transfer from your account to account ${own.transferTarget}; only that account can accept or reject it (CancelCertificateTransfer withdraws it).`,
    );
  }
  if (own?.transferData?.transferDate) throw new TransferAlreadyCompletedException(ended(own, own.accountId));
  if (own) throw new InvalidRequestException(`Certificate ${own.certificateId} is not pending transfer to your account.`);
  const past = rows.find(offeredTo(scope));
  if (past) throw new TransferAlreadyCompletedException(ended(past, past.accountId));
  const gone = rows.find((c) => other(scope)(c) && c.previousOwnedBy === scope.accountId);
  if (gone) throw new TransferAlreadyCompletedException(given(gone));
  return notPending(db, scope, certificateId, true);
}

/** Locks the offer's certificate in its source account and reads it again under the lock. */
async function lockedOffer(tx: StoreTx, scope: Scope, certificateId: string): Promise<{ offer: LocatedCertificate; source: Scope }> {
  const first = await offerTo(tx, scope, certificateId);
  const source = { accountId: first.accountId, region: scope.region };
  await tx.lock(source, lockKey(first.certificateId));
  const offer = await offerTo(tx, scope, certificateId);
  return { offer, source: { accountId: offer.accountId, region: scope.region } };
}

/**
 * TransferCertificate: only an INACTIVE certificate ("must not be in the ACTIVE state"; REVOKED and
 * the other statuses are refused too, so no status is lost when the certificate comes back
 * INACTIVE) with no policy ("must not have any policies attached") and no thing attached, to
 * another account that does not hold it already. Answers the ARN the certificate has in the target
 * account once accepted (as AWS's CLI example shows: the target's account id, the same certificate id).
 */
export async function startTransfer(tx: StoreTx, scope: ClockedScope, certificateId: string, target: string, transferMessage?: string): Promise<string> {
  await tx.lock(scope, lockKey(normalizeId(certificateId)));
  const c = await requireCertificate(tx, scope, certificateId);
  const id = c.certificateId;
  if (target === scope.accountId) {
    throw new InvalidRequestException(`targetAwsAccount ${target} is the account that owns certificate ${id}; a certificate is transferred to another account.`);
  }
  if (pending(c)) throw new CertificateStateException(`Certificate ${id} is already PENDING_TRANSFER to account ${c.transferTarget}; cancel that transfer first.`);
  if (c.status === 'ACTIVE') throw new CertificateStateException(`Certificate ${id} is ACTIVE; deactivate it with UpdateCertificate before transferring it.`);
  if (c.status !== 'INACTIVE') throw new CertificateStateException(`Certificate ${id} is ${c.status}; only an INACTIVE certificate can be transferred.`);
  const policies = await tx.policyTargets.countForTarget(scope, c.arn);
  if (policies > 0) {
    throw new TransferConflictException(`Certificate ${id} has ${policies} attached polic${policies === 1 ? 'y' : 'ies'}; detach them with DetachPolicy before transferring it.`);
  }
  const things = await thingsOfPrincipal(tx, scope, c.arn);
  if (things.length > 0) {
    throw new TransferConflictException(`Certificate ${id} is attached to ${things.length} thing(s) (${things.slice(0, 5).join(', ')}); detach it with DetachThingPrincipal before transferring it.`);
  }
  if ((await tx.certificates.inRegion(scope.region, id)).some((r) => r.accountId === target)) {
    throw new InvalidRequestException(`Account ${target} already holds certificate ${id} in ${scope.region}, so it cannot receive it by transfer.`);
  }
  const now = scope.clock.now();
  const transferData = { ...(transferMessage !== undefined ? { transferMessage } : {}), transferDate: now };
  await tx.certificates.updateTransfer(scope, id, 'INACTIVE', { status: 'PENDING_TRANSFER', transferTarget: target, transferData, generationId: randomUUID(), modifiedAt: now });
  return certificateArn({ accountId: target, region: scope.region }, id);
}

/**
 * AcceptCertificateTransfer: the certificate moves to the caller's account, INACTIVE unless
 * setAsActive, owned by the caller with the source as previousOwnedBy. Anything the source
 * attached to it while it was pending (things, policies) is detached there, since the source's
 * ARN of the certificate no longer exists.
 */
export async function acceptTransfer(tx: StoreTx, scope: ClockedScope, certificateId: string, setAsActive: boolean): Promise<void> {
  const { offer, source } = await lockedOffer(tx, scope, certificateId);
  const id = offer.certificateId;
  const now = scope.clock.now();
  const moved = await tx.certificates.moveTo(source, scope.accountId, id, {
    arn: certificateArn(scope, id),
    status: setAsActive ? 'ACTIVE' : 'INACTIVE',
    ownedBy: scope.accountId,
    previousOwnedBy: source.accountId,
    transferData: { ...offer.transferData, acceptDate: now },
    generationId: randomUUID(),
    modifiedAt: now,
  });
  if (!moved) {
    throw new InvalidRequestException(`Your account already holds certificate ${id} in ${scope.region}; delete it there or reject the transfer from account ${source.accountId}.`);
  }
  await tx.policyTargets.detachAllFrom(source, offer.arn);
  for (const thing of await thingsOfPrincipal(tx, source, offer.arn)) await tx.thingPrincipals.delete(source, thing, offer.arn);
  policiesChanged(source);
}

/** RejectCertificateTransfer: the certificate goes back to the source INACTIVE, with the reason and date in its transferData. */
export async function rejectTransfer(tx: StoreTx, scope: ClockedScope, certificateId: string, rejectReason?: string): Promise<void> {
  const { offer, source } = await lockedOffer(tx, scope, certificateId);
  const now = scope.clock.now();
  const transferData = { ...offer.transferData, ...(rejectReason !== undefined ? { rejectReason } : {}), rejectDate: now };
  await tx.certificates.updateTransfer(source, offer.certificateId, 'PENDING_TRANSFER', {
    status: 'INACTIVE',
    transferTarget: scope.accountId,
    transferData,
    generationId: randomUUID(),
    modifiedAt: now,
  });
}

/**
 * CancelCertificateTransfer, by the source only: the certificate is INACTIVE again and its
 * transferData stays as the transfer left it (AWS has no cancel date).
 */
export async function cancelTransfer(tx: StoreTx, scope: ClockedScope, certificateId: string): Promise<void> {
  const id = normalizeId(certificateId);
  await tx.lock(scope, lockKey(id));
  const own = await getCertificate(tx, scope, id);
  if (own && pending(own)) {
    await tx.certificates.updateTransfer(scope, id, 'PENDING_TRANSFER', {
      status: 'INACTIVE',
      transferTarget: own.transferTarget!,
      transferData: own.transferData ?? {},
      generationId: randomUUID(),
      modifiedAt: scope.clock.now(),
    });
    return;
  }
  if (own?.transferData?.transferDate) throw new TransferAlreadyCompletedException(ended(own, scope.accountId));
  if (own) throw new InvalidRequestException(`Certificate ${own.certificateId} is not pending transfer.`);
  const rows = await tx.certificates.inRegion(scope.region, id);
  const offer = rows.find((c) => offeredTo(scope)(c) && pending(c));
  if (offer) {
    throw new InvalidRequestException(
      `Certificate ${offer.certificateId} is pending transfer from account ${offer.accountId} to yours; only the source account can cancel it: reject it with RejectCertificateTransfer.`,
    );
  }
  const gone = rows.find((c) => other(scope)(c) && c.previousOwnedBy === scope.accountId);
  if (gone) throw new TransferAlreadyCompletedException(given(gone));
  const past = rows.find(offeredTo(scope));
  if (past) throw new TransferAlreadyCompletedException(ended(past, past.accountId));
  await notPending(tx, scope, certificateId, false);
}
