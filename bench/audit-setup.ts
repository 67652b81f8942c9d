import { randomBytes, randomUUID } from 'node:crypto';
import { certificateFacts } from '../src/registry/cert-facts.js';
import { IamRoleRepo, type IamRoleRecord } from '../src/store/iam-roles.js';
import { insertTuples } from '../src/store/sql.js';
import { Store } from '../src/store/store.js';
import { DAY_MS, deviceRecipe, makeCa, type BenchCa } from './audit-certs.js';
import { ARN, bump, connectionEvents, EVENT_COLUMNS, iamRole, SCOPE, storeCrl } from './audit-inputs.js';
import { olderPolicyDocument, policyDocument, policyKind } from './audit-policies.js';
import { CertFactory } from './engine-certs.js';
import { log, round } from './procs.js';

/** Version of what setup writes: a BENCH_SNAPSHOT of another layout is set up afresh. Raise it when the data changes. */
export const LAYOUT = 3;

/**
 * The registry of `bench:audit`, written straight into the store (not timed): the rows the
 * registry operations would have written over the account's life, in bulk through `insertTuples`,
 * so 100,000 devices take about two minutes instead of the better part of an hour through the API.
 * Every certificate is a real X.509 certificate; its audit facts (serial number, issuer, key
 * quality, CRL URLs) come from `certificateFacts`, as registration computes them.
 *
 * What the account holds (every choice comes from a seeded generator, so a size gives one registry):
 * - CA certificates: a root CA, 7 intermediates it signed and one more self-signed CA (all
 *   ACTIVE, DEFAULT mode, valid 10 years); the 8 below the root sign the device certificates.
 *   The others are self-signed, 5% expiring within 30 days, 1% expired, 10% INACTIVE, 20% SNI_ONLY.
 * - CRLs, uploaded (as POST /_warden/crls stores them): the root's revokes intermediate 7 (which
 *   signed 2% of the devices); each issuing CA's lists its REVOKED devices and 0.3% of its ACTIVE ones.
 * - Device certificates: 90% registered with their CA (RegisterCertificate: DEFAULT mode, CA id,
 *   EC P-256 keys), 10% without (RegisterCertificateWithoutCA: SNI_ONLY, RSA 2048 keys, signed by
 *   a CA not registered here);
 *   5% expire within 30 days, 1% have expired, 10% were issued 500 days ago (older than the age
 *   check's 365 days), the rest 60 days ago; 2% INACTIVE, 0.5% REVOKED, the rest ACTIVE. Each is
 *   attached to one policy (AttachPolicy) and to its thing (AttachThingPrincipal).
 * - Policies: see audit-policies.ts; one in ten has three versions (the third the default).
 * - Things: two attributes each (thing_attributes too, as CreateThing writes it), thing `i`
 *   holding certificate `i`.
 * - Connection events in the 31 days before the audit: one per thing; 0.2% of certificates are
 *   also used by a second client at the same time; 0.2% of client ids are used by a cloned
 *   device too (same certificate), the two knocking each other off (DUPLICATE_CLIENTID).
 * - Five role aliases, each naming an IAM role Warden was told about (POST /_warden/iam-roles):
 *   one scoped, four granting too much (admin on a used service, IAM, IoT admin, an unused service).
 * - Logging never configured (one LOGGING_DISABLED finding).
 */
const CHUNK = 5000;
/** With at least this many CA certificates: root, 7 intermediates, one more issuing CA. */
const HIERARCHY = 9;
const REVOKED_INTERMEDIATE = 7;
const ROLE_ALIASES = 5;

export interface Sizes {
  deviceCertificates: number;
  caCertificates: number;
  policies: number;
  things: number;
  connectionEvents: number;
}

export interface SetupResult {
  seconds: number;
  /** Epoch ms the validity periods and event times were laid out from (the audit runs later). */
  madeAt: number;
  counts: Record<string, number>;
  /** What the data holds that the checks should find (for a reader comparing findings). */
  seeded: Record<string, Record<string, number>>;
  phases: Record<string, number>;
}

/** mulberry32: a small seeded generator, so a registry of a given size is the same every time. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (i: number): string => String(i).padStart(7, '0');
const thingName = (i: number): string => `bench-thing-${pad(i)}`;
const policyName = (i: number): string => `bench-policy-${pad(i)}`;

const CERT_COLUMNS = [
  'account_id', 'region', 'certificate_id', 'arn', 'status', 'ca_certificate_id', 'pem', 'certificate_mode', 'owned_by', 'previous_owned_by',
  'transfer_data', 'generation_id', 'customer_version', 'not_before', 'not_after', 'created_at', 'modified_at',
  'serial_number', 'issuer', 'key_quality', 'crl_urls',
] as const;
const CA_COLUMNS = [
  'account_id', 'region', 'certificate_id', 'arn', 'status', 'pem', 'subject', 'certificate_mode', 'auto_registration_status', 'registration_config',
  'owned_by', 'generation_id', 'customer_version', 'not_before', 'not_after', 'created_at', 'modified_at',
  'serial_number', 'issuer', 'key_quality', 'crl_urls',
] as const;

interface CaSet {
  /** The CAs that sign device certificates, with their index among the CA certificates. */
  issuers: { ca: BenchCa; j: number }[];
  /** The root that signed the intermediates (when there are enough CA certificates for a hierarchy). */
  root?: BenchCa;
  /** Signs the certificates registered without a CA; never registered. */
  unregistered: BenchCa;
}

/** The CA certificates: the hierarchy first (its CAs keep their keys), then the rest; plus one unregistered issuer. */
async function caCertificates(store: Store, count: number, now: number, rnd: () => number, seeded: Record<string, number>): Promise<CaSet> {
  const set: CaSet = { issuers: [], unregistered: undefined as unknown as BenchCa };
  const hierarchy = count >= HIERARCHY;
  const rows: unknown[][] = [];
  for (let j = 0; j < count; j++) {
    const special = hierarchy ? j < HIERARCHY : j < 8;
    let notBefore = now - 3 * 365 * DAY_MS;
    let notAfter = now + 7 * 365 * DAY_MS;
    let status = 'ACTIVE';
    let mode = 'DEFAULT';
    if (!special) {
      const r = rnd();
      if (r < 0.05) {
        notBefore = now - 2 * 365 * DAY_MS;
        notAfter = now + Math.floor(1 + rnd() * 28) * DAY_MS;
      } else if (r < 0.06) {
        notBefore = now - 3 * 365 * DAY_MS;
        notAfter = now - Math.floor(1 + rnd() * 60) * DAY_MS;
      } else {
        notBefore = now - Math.floor(rnd() * 365) * DAY_MS;
        notAfter = notBefore + 5 * 365 * DAY_MS;
      }
      if (rnd() < 0.1) status = 'INACTIVE';
      if (rnd() < 0.2) mode = 'SNI_ONLY';
    }
    bump(seeded, status === 'ACTIVE' ? 'active' : 'inactive');
    if (status === 'ACTIVE' && notAfter < now) bump(seeded, 'activeExpired');
    else if (status === 'ACTIVE' && notAfter < now + 30 * DAY_MS) bump(seeded, 'activeExpiringWithin30Days');
    const role = !special ? 'other' : hierarchy && j === 0 ? 'root' : hierarchy && j < 8 ? 'intermediate' : 'issuing';
    const parent = role === 'intermediate' ? set.root : undefined;
    const ca = await makeCa(`CN=Warden audit bench CA ${j}, O=Warden bench, OU=${role}`, (0x100000 + j).toString(16), new Date(notBefore), new Date(notAfter), special, parent);
    if (role === 'root') set.root = ca;
    else if (special) set.issuers.push({ ca, j });
    if (role === 'intermediate') bump(seeded, 'intermediates');
    const facts = certificateFacts(ca.pem);
    const created = Math.min(now - DAY_MS, notBefore + Math.floor(rnd() * 30) * DAY_MS);
    rows.push([
      SCOPE.accountId, SCOPE.region, ca.id, `${ARN}:cacert/${ca.id}`, status, ca.pem, ca.subject, mode, 'DISABLE', null,
      SCOPE.accountId, randomUUID(), status === 'ACTIVE' ? 1 : 2, notBefore, notAfter, created, status === 'ACTIVE' ? created : created + DAY_MS,
      facts.serialNumber, facts.issuer, facts.keyQuality, facts.crlUrls,
    ]);
  }
  await store.db.transaction((tx) => insertTuples(tx, 'ca_certificates', CA_COLUMNS, rows));
  set.unregistered = await makeCa('CN=Warden audit bench unregistered CA, O=Warden bench', '0badca', new Date(now - 3 * 365 * DAY_MS), new Date(now + 7 * 365 * DAY_MS), true);
  return set;
}

type Validity = 'current' | 'expiring' | 'expired' | 'old';
const VALIDITY: Record<Validity, { from: number; to: number }> = {
  current: { from: -60, to: 305 },
  expiring: { from: -353, to: 12 },
  expired: { from: -380, to: -15 },
  old: { from: -500, to: 1325 },
};

/** One CertFactory per (issuer, validity), made on first use. */
class Factories {
  private readonly made = new Map<string, CertFactory>();
  constructor(private readonly now: number) {}

  async get(ca: BenchCa, key: string, validity: Validity, rsa: boolean): Promise<CertFactory> {
    const k = `${key}/${validity}`;
    let f = this.made.get(k);
    if (!f) {
      const v = VALIDITY[validity];
      f = new CertFactory(await deviceRecipe(ca, new Date(this.now + v.from * DAY_MS), new Date(this.now + v.to * DAY_MS), rsa));
      this.made.set(k, f);
    }
    return f;
  }
}

interface DeviceRows {
  certs: unknown[][];
  things: unknown[][];
  attributes: unknown[][];
  principals: unknown[][];
  targets: unknown[][];
  events: unknown[][];
}

export async function setup(dataDir: string, databaseUrl: string | undefined, sizes: Sizes): Promise<SetupResult> {
  const t0 = performance.now();
  const now = Date.now();
  const rnd = random(20_240_601);
  const seeded: SetupResult['seeded'] = { caCertificates: {}, deviceCertificates: {}, policies: {}, roleAliases: {}, connectionEvents: {} };
  const phases: Record<string, number> = {};
  const store = await Store.open({ dataDir, databaseUrl });
  try {
    const existing = await store.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM certificates');
    if (Number(existing?.n ?? 0) > 0) throw new Error('setup needs an empty store');

    let p0 = performance.now();
    log(`setup: ${sizes.caCertificates} CA certificates`);
    const cas = await caCertificates(store, sizes.caCertificates, now, rnd, seeded.caCertificates);
    phases.caCertificatesSeconds = round((performance.now() - p0) / 1000, 1);

    p0 = performance.now();
    log(`setup: ${sizes.policies} policies, ${ROLE_ALIASES} role aliases`);
    await policies(store, sizes.policies, now, seeded.policies);
    await roleAliases(store, now, seeded.roleAliases);
    phases.policiesSeconds = round((performance.now() - p0) / 1000, 1);

    p0 = performance.now();
    const crlSerials = await devices(store, sizes, cas, now, rnd, seeded, phases);
    phases.devicesSeconds = round((performance.now() - p0) / 1000, 1);

    p0 = performance.now();
    for (const { ca, j } of cas.issuers) await storeCrl(store.repos, ca, crlSerials.get(j) ?? [], now);
    if (cas.root) {
      const intermediate = cas.issuers.find((x) => x.j === REVOKED_INTERMEDIATE)!.ca;
      await storeCrl(store.repos, cas.root, [intermediate.cert.serialNumber.toUpperCase(), 'DEAD01', 'DEAD02'], now);
      bump(seeded.caCertificates, 'activeRevokedByIssuer');
    }
    phases.crlsSeconds = round((performance.now() - p0) / 1000, 1);

    const counts: Record<string, number> = {};
    for (const table of [
      'certificates', 'ca_certificates', 'crls', 'policies', 'policy_versions', 'policy_targets', 'things', 'thing_attributes', 'thing_principals',
      'role_aliases', 'iam_roles', 'connection_events',
    ]) {
      counts[table] = Number((await store.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))?.n ?? 0);
    }
    return { seconds: round((performance.now() - t0) / 1000, 1), madeAt: now, counts, seeded, phases };
  } finally {
    await store.close();
  }
}

/**
 * Device certificates, things (with their attributes and principal) and connection events, a
 * chunk of indices per transaction. Answers the serial numbers each issuing CA's CRL lists.
 */
async function devices(
  store: Store,
  sizes: Sizes,
  cas: CaSet,
  now: number,
  rnd: () => number,
  seeded: SetupResult['seeded'],
  phases: Record<string, number>,
): Promise<Map<number, string[]>> {
  const total = Math.max(sizes.deviceCertificates, sizes.things, sizes.connectionEvents);
  log(`setup: ${sizes.deviceCertificates} device certificates, ${sizes.things} things, ${sizes.connectionEvents} connection events`);
  const t0 = performance.now();
  const factories = new Factories(now);
  const crlSerials = new Map<number, string[]>();
  const common = cas.issuers.filter((x) => x.j !== REVOKED_INTERMEDIATE || !cas.root);
  const revokedIntermediate = cas.root ? cas.issuers.find((x) => x.j === REVOKED_INTERMEDIATE) : undefined;
  /** Certificate ids by index, for attachments and events of later chunks. */
  const certIds: string[] = [];
  let makeMs = 0;
  let factsMs = 0;
  let progress = Math.floor(total / 10);
  const d = seeded.deviceCertificates;
  for (let from = 0; from < total; from += CHUNK) {
    const to = Math.min(total, from + CHUNK);
    const rows: DeviceRows = { certs: [], things: [], attributes: [], principals: [], targets: [], events: [] };
    for (let i = from; i < to && i < sizes.deviceCertificates; i++) {
      const m0 = performance.now();
      const r = rnd();
      const validity: Validity = r < 0.05 ? 'expiring' : r < 0.06 ? 'expired' : r < 0.16 ? 'old' : 'current';
      const pick = rnd();
      const issuer = common.length === 0 || pick < 0.1 ? undefined : revokedIntermediate && pick < 0.12 ? revokedIntermediate : common[Math.floor(rnd() * common.length)];
      const ca = issuer?.ca ?? cas.unregistered;
      const cert = (await factories.get(ca, issuer ? `ca-${issuer.j}` : 'unregistered', validity, !issuer)).make(i);
      const m1 = performance.now();
      const facts = certificateFacts(cert.pem);
      const m2 = performance.now();
      makeMs += m1 - m0;
      factsMs += m2 - m1;
      const s = rnd();
      const status = s < 0.02 ? 'INACTIVE' : s < 0.025 ? 'REVOKED' : 'ACTIVE';
      const v = VALIDITY[validity];
      const notBefore = now + v.from * DAY_MS;
      const created = notBefore + Math.floor(rnd() * 10 * DAY_MS);
      const modified = status === 'ACTIVE' ? created : created + Math.floor(rnd() * (now - created));
      certIds[i] = cert.id;
      rows.certs.push([
        SCOPE.accountId, SCOPE.region, cert.id, `${ARN}:cert/${cert.id}`, status, issuer ? ca.id : null, cert.pem, issuer ? 'DEFAULT' : 'SNI_ONLY',
        SCOPE.accountId, null, null, randomUUID(), status === 'ACTIVE' ? 1 : 2, notBefore, now + v.to * DAY_MS, created, modified,
        facts.serialNumber, facts.issuer, facts.keyQuality, facts.crlUrls,
      ]);
      bump(d, status.toLowerCase());
      if (!issuer) bump(d, 'withoutCa');
      // The issuer's CRL lists the certificates revoked in IoT too, and some still ACTIVE here.
      const listed = issuer && (status === 'REVOKED' || (status === 'ACTIVE' && rnd() < 0.003));
      if (listed) {
        const serials = crlSerials.get(issuer.j);
        if (serials) serials.push(facts.serialNumber);
        else crlSerials.set(issuer.j, [facts.serialNumber]);
      }
      if (status === 'ACTIVE') {
        if (validity === 'expiring') bump(d, 'activeExpiringWithin30Days');
        if (validity === 'expired') bump(d, 'activeExpired');
        if (notBefore <= now - 365 * DAY_MS) bump(d, 'activeValidSinceAtLeast365Days');
        if (listed) bump(d, 'activeListedInCrl');
        if (issuer && issuer === revokedIntermediate) bump(d, 'activeUnderRevokedIntermediate');
      }
      if (sizes.policies > 0) rows.targets.push([SCOPE.accountId, SCOPE.region, policyName(i % sizes.policies), `${ARN}:cert/${cert.id}`, created]);
    }
    for (let i = from; i < to && i < sizes.things; i++) {
      const created = now - Math.floor(rnd() * 400 * DAY_MS);
      const name = thingName(i);
      const attributes = { fleet: `fleet-${i % 50}`, model: `model-${i % 7}` };
      rows.things.push([SCOPE.accountId, SCOPE.region, name, randomUUID(), `${ARN}:thing/${name}`, null, 1, JSON.stringify(attributes), created, created]);
      for (const [key, value] of Object.entries(attributes)) rows.attributes.push([SCOPE.accountId, SCOPE.region, name, key, value]);
      if (sizes.deviceCertificates > 0) {
        rows.principals.push([SCOPE.accountId, SCOPE.region, name, `${ARN}:cert/${certIds[i % sizes.deviceCertificates]}`, 'NON_EXCLUSIVE_THING', created]);
      }
    }
    if (sizes.deviceCertificates > 0 && sizes.things > 0) {
      for (let i = from; i < to && i < sizes.connectionEvents; i++) {
        connectionEvents(rows.events, i, thingName(i % sizes.things), certIds[i % sizes.deviceCertificates], now, rnd, seeded.connectionEvents);
      }
    }
    await store.db.transaction(async (tx) => {
      await insertTuples(tx, 'certificates', CERT_COLUMNS, rows.certs);
      await insertTuples(tx, 'things', ['account_id', 'region', 'name', 'thing_id', 'arn', 'thing_type_name', 'version', 'attributes', 'created_at', 'modified_at'], rows.things);
      await insertTuples(tx, 'thing_attributes', ['account_id', 'region', 'thing_name', 'attr_name', 'attr_value'], rows.attributes);
      await insertTuples(tx, 'thing_principals', ['account_id', 'region', 'thing_name', 'principal', 'principal_type', 'created_at'], rows.principals);
      await insertTuples(tx, 'policy_targets', ['account_id', 'region', 'policy_name', 'target', 'created_at'], rows.targets);
      await insertTuples(tx, 'connection_events', EVENT_COLUMNS, rows.events);
    });
    if (to >= progress || to === total) {
      log(`  ${to}/${total} devices (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      progress += Math.floor(total / 10) || total;
    }
  }
  phases.certificateMakingSeconds = round(makeMs / 1000, 1);
  phases.certificateFactsSeconds = round(factsMs / 1000, 1);
  return crlSerials;
}

async function policies(store: Store, count: number, now: number, seeded: Record<string, number>): Promise<void> {
  for (let from = 0; from < count; from += CHUNK) {
    const policyRows: unknown[][] = [];
    const versionRows: unknown[][] = [];
    for (let i = from; i < Math.min(count, from + CHUNK); i++) {
      const name = policyName(i);
      const versions = i % 10 === 3 ? 3 : 1;
      const created = now - (400 - (i % 300)) * DAY_MS;
      const modified = created + (versions - 1) * 30 * DAY_MS;
      policyRows.push([SCOPE.accountId, SCOPE.region, name, `${ARN}:policy/${name}`, String(versions), versions, randomBytes(32).toString('hex'), created, modified]);
      for (let v = 1; v <= versions; v++) {
        versionRows.push([SCOPE.accountId, SCOPE.region, name, v, v === versions ? policyDocument(i) : olderPolicyDocument(i, v), created + (v - 1) * 30 * DAY_MS]);
      }
      bump(seeded, policyKind(i));
      if (versions > 1) bump(seeded, 'withThreeVersions');
    }
    await store.db.transaction(async (tx) => {
      await insertTuples(tx, 'policies', ['account_id', 'region', 'name', 'arn', 'default_version_id', 'last_version_id', 'generation_id', 'created_at', 'modified_at'], policyRows);
      await insertTuples(tx, 'policy_versions', ['account_id', 'region', 'policy_name', 'version_id', 'document', 'created_at'], versionRows);
    });
  }
}

/** Role aliases, and their roles as POST /_warden/iam-roles stores them. */
async function roleAliases(store: Store, now: number, seeded: Record<string, number>): Promise<void> {
  const rows: unknown[][] = [];
  const roles: IamRoleRecord[] = [];
  for (let k = 0; k < ROLE_ALIASES; k++) {
    const alias = `bench-role-alias-${k}`;
    const roleArn = `arn:aws:iam::${SCOPE.accountId}:role/bench-device-role-${k}`;
    rows.push([SCOPE.accountId, SCOPE.region, alias, `${ARN}:rolealias/${alias}`, roleArn, 3600, now - 100 * DAY_MS, now - 100 * DAY_MS]);
    const role = iamRole(k, roleArn, now);
    roles.push(role.record);
    bump(seeded, role.kind);
  }
  await store.db.transaction(async (tx) => {
    await insertTuples(tx, 'role_aliases', ['account_id', 'region', 'alias', 'arn', 'role_arn', 'credential_duration_seconds', 'created_at', 'modified_at'], rows);
    await new IamRoleRepo(tx).put(SCOPE, roles);
  });
}
