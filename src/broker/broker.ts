import { randomUUID } from 'node:crypto';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import type { Clock } from '../base/clock.js';
import type { Scope } from '../base/scope.js';
import type { Store } from '../store/store.js';
import { onCertificateStatus } from '../registry/certificate-events.js';
import { onPoliciesChanged } from '../registry/policy-events.js';
import { authenticate, type Identity } from './authenticate.js';
import type { Authorizer, Session, SessionAuthorizer } from './authorize.js';
import { rootCa, serverCertificate, writeCaFile } from './ca.js';
import { ConnectionLog } from './connection-log.js';
import { ANSWER_TOPIC, batchWrites, clientsOf, isPacketTooLarge, MAX_PAYLOAD_BYTES, MQTT_LIMITS, NotAuthorized, plainAddress, publish, publishBytes, REASON, REPORT_TOPIC, speaksMqtt5 } from './wire.js';
import { CloudCounters } from './cloud-counters.js';
import { encodeCbor } from '../detect/cbor.js';
import type { ReportAnswer } from '../detect/detector.js';

export interface BrokerOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  /** 0 picks a free port. */
  port: number;
  /** Address to listen on. */
  host: string;
  /** Names (DNS or IP) the server certificate carries besides localhost, 127.0.0.1 and ::1. */
  names?: string[];
  /** Where ca.pem is written (the data folder). */
  dataDir?: string;
  authorizer: Authorizer;
  /** Detect's ingestion of device-side reports (the Detector), for `$aws/things/{thingName}/defender/metrics/{json|cbor}`. */
  reports?: ReportSink;
}

export interface ReportSink {
  submitDeviceReport(scope: Scope, thingName: string, payload: Uint8Array, format: 'json' | 'cbor'): Promise<ReportAnswer>;
}


/** One session's state, kept beside aedes's client. */
interface Live {
  readonly session: Session;
  /** The compiled policies' decisions; replaced by a reload. */
  authz: SessionAuthorizer;
  /** Set while the session's policies are being re-read (they changed): decisions wait for it. */
  reloading?: Promise<void>;
  /** Counts reloads, so only the newest one installs its result. */
  generation: number;
  readonly sessionIdentifier: string;
  /** When iot:Connect was allowed: the connect time, taken before aedes closes an older session of the client id. */
  readonly acceptedAt: number;
  connectedAt?: number;
  reason?: string;
}

const scopeKey = (s: Scope): string => `${s.accountId}/${s.region}`;

/** What a session decides when its policies cannot be re-read: nothing is allowed. */
const DENY_ALL: SessionAuthorizer = { connect: () => 'IMPLICIT_DENY', publish: () => 'IMPLICIT_DENY', subscribe: () => 'IMPLICIT_DENY', receive: () => 'IMPLICIT_DENY' };

/**
 * The MQTT data plane: mutual TLS on node:tls, then one aedes broker per (account, region), as
 * AWS IoT Core has one message broker per account and region: topics, client ids and
 * lifecycle events never cross accounts. The TLS layer requests a client certificate and lets
 * every one through (rejectUnauthorized false): devices may use self-signed certificates
 * registered without a CA, so trust is Warden's registry, matched by fingerprint before a byte
 * of MQTT is read. A refused certificate still gets MQTT's answer (CONNACK 5, not authorized)
 * from a broker that accepts no one.
 *
 * Policy changes reach live sessions: on a notice from src/registry/policy-events.ts (sent once
 * the change's transaction has committed) every session of that account and region is marked
 * stale at once, synchronously, and its policies are re-read and recompiled in the background.
 * Until its reload finishes a session never decides on the old policies: publish and subscribe
 * (asynchronous in aedes) wait for the reload and then decide; receive (synchronous in aedes,
 * asked for every delivery) is denied, so messages routed to the session during the reload
 * (milliseconds) are dropped for it. A second change during a reload starts another; only the
 * newest installs. A session still connecting when a change arrives reads its policies again
 * before its iot:Connect is decided. A reload that fails leaves the session allowed nothing.
 * Live sessions are not disconnected for a lost iot:Connect; their next denied publish closes
 * them (MQTT 3.1.1), as at any denial.
 */
export class Broker {
  private readonly brokers = new Map<string, Promise<Aedes>>();
  private readonly live = new WeakMap<Client, Live>();
  /** The authenticated sessions of each scope (to reload on a policy change). */
  private readonly sessions = new Map<string, Set<Live>>();
  /** Counts each scope's policy changes, so a session compiled across one is compiled again. */
  private readonly changes = new Map<string, number>();
  private readonly pending = new WeakMap<object, Identity>();
  private readonly sockets = new Set<tls.TLSSocket>();
  private readonly events: ConnectionLog;
  private readonly counters: CloudCounters;
  private readonly authorizer: Authorizer;
  private refuser?: Promise<Aedes>;
  private stopListening?: () => void;
  private stopPolicyNotices?: () => void;
  private server?: tls.Server;
  private closing = false;
  /** The root CA (PEM) that signs the server certificate. */
  caPem = '';
  port = 0;

  constructor(private readonly opts: BrokerOptions) {
    this.events = new ConnectionLog(opts.store, opts.log);
    this.counters = new CloudCounters(opts.store, opts.log, opts.clock);
    this.authorizer = opts.authorizer;
  }

  async start(): Promise<void> {
    const ca = await rootCa(this.opts.store.repos, this.opts.clock);
    this.caPem = ca.certPem;
    if (this.opts.dataDir) writeCaFile(this.opts.dataDir, ca.certPem);
    const server = await serverCertificate(ca, this.opts.names ?? [], this.opts.clock.now());
    // noDelay: deliveries are small writes, which Nagle's algorithm would hold back for the peer's delayed ACK.
    this.server = tls.createServer({ key: server.keyPem, cert: server.certPem, ca: [ca.certPem], requestCert: true, rejectUnauthorized: false, handshakeTimeout: 10_000, noDelay: true });
    this.server.on('secureConnection', (socket) => void this.accept(socket));
    // Node reports a handshake timeout here but leaves the socket open: close it, or sockets that
    // never finish a handshake would stay forever.
    this.server.on('tlsClientError', (e, socket) => {
      this.opts.log.debug({ err: e.message }, 'mqtt tls handshake failed');
      socket.destroy();
    });
    this.stopListening = onCertificateStatus((c) => {
      if (c.status !== 'ACTIVE') void this.closeCertificate(c, c.certificateId, c.ca === true);
    });
    this.stopPolicyNotices = onPoliciesChanged((c) => this.policiesChanged(c));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.opts.port, this.opts.host, () => {
        this.server!.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  private async accept(socket: tls.TLSSocket): Promise<void> {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    try {
      const der = socket.getPeerCertificate()?.raw;
      const auth = await authenticate(this.opts.store.repos, this.opts.clock, der);
      if (this.closing || socket.destroyed) return;
      if (auth.ok) {
        this.pending.set(socket, auth.identity);
        (await this.brokerFor(auth.identity)).handle(socket);
        return;
      }
      this.opts.log.info({ reason: auth.reason, certificateId: 'certificateId' in auth ? auth.certificateId : undefined, ip: socket.remoteAddress }, 'mqtt connection refused');
      if (auth.reason === 'REGISTERED_PENDING_ACTIVATION') {
        const b = await this.brokerFor(auth.scope);
        const at = auth.registeredAt.getTime();
        publish(b, `$aws/events/certificates/registered/${auth.caCertificateId}`, {
          certificateId: auth.certificateId,
          caCertificateId: auth.caCertificateId,
          timestamp: at,
          certificateStatus: 'PENDING_ACTIVATION',
          awsAccountId: auth.scope.accountId,
          certificateRegistrationTimestamp: at,
        });
      }
      (await (this.refuser ??= this.refusingBroker())).handle(socket);
    } catch (e) {
      this.opts.log.warn({ err: (e as Error).message }, 'mqtt connection failed');
      socket.destroy();
    }
  }

  private refusingBroker(): Promise<Aedes> {
    return Aedes.createBroker({
      ...MQTT_LIMITS,
      authenticate: (_client, _u, _p, done) => done(Object.assign(new Error('not authorized'), { returnCode: 5 }) as AuthenticateError, false),
    });
  }

  private brokerFor(scope: Scope): Promise<Aedes> {
    const key = scopeKey(scope);
    let b = this.brokers.get(key);
    if (!b) {
      b = this.createScopeBroker({ accountId: scope.accountId, region: scope.region });
      this.brokers.set(key, b);
    }
    return b;
  }

  private async createScopeBroker(scope: Scope): Promise<Aedes> {
    const log = this.opts.log;
    const b: Aedes = await Aedes.createBroker({
      ...MQTT_LIMITS,
      maxClientsIdLength: 128,
      // aedes lets 100 messages through its emitter at once by default and queues the rest in an
      // array it shifts, which grows without bound (and each shift gets slower) once thousands of
      // devices publish; each client already reads its next packets only after its last ones
      // were routed, so the clients bound what is in flight.
      concurrency: 100_000,
      authenticate: (client, _u, _p, done) => {
        const identity = this.pending.get(client.conn);
        if (!identity) return done(Object.assign(new Error('not authorized'), { returnCode: 5 }) as AuthenticateError, false);
        const session: Session = { ...identity, clientId: client.id, sourceIp: plainAddress((client.conn as tls.TLSSocket).remoteAddress) };
        this.compile(session).then(
          (authz) => {
            if (authz.thingName) this.counters.connectionAttempt(scope, authz.thingName, session.sourceIp);
            if (authz.connect() !== 'ALLOW') {
              if (authz.thingName) this.counters.authorizationFailure(scope, authz.thingName);
              log.info({ clientId: client.id, certificateId: identity.certificateId }, 'mqtt connect not authorized');
              return done(Object.assign(new Error('not authorized'), { returnCode: 5 }) as AuthenticateError, false);
            }
            const older = clientsOf(b)[client.id];
            if (older && older !== client) {
              const o = this.live.get(older);
              if (o) o.reason = 'DUPLICATE_CLIENTID';
            }
            const l: Live = { session, authz, generation: 0, sessionIdentifier: randomUUID().replace(/-/g, ''), acceptedAt: this.opts.clock.now().getTime() };
            this.live.set(client, l);
            this.track(scope, l, client);
            done(null, true);
          },
          (e) => done(Object.assign(e instanceof Error ? e : new Error(String(e)), { returnCode: 3 }) as AuthenticateError, false),
        );
      },
      authorizePublish: (client, packet, done) => {
        const l = client && this.live.get(client);
        if (!l) return done(new Error('not authorized'));
        const topic = packet.topic;
        const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
        const bytes = payload.length;
        const v5 = speaksMqtt5(client);
        if (bytes > MAX_PAYLOAD_BYTES) {
          log.info({ clientId: client.id, topic, bytes }, 'mqtt publish refused: payload larger than 128 KB');
          l.reason = 'CLIENT_ERROR';
          // MQTT 5: DISCONNECT 0x95 (the packet is not acknowledged); 3.1.1: the connection is closed.
          if (v5) return client.disconnect({ reasonCode: REASON.PACKET_TOO_LARGE, properties: { reasonString: `payload larger than ${MAX_PAYLOAD_BYTES} bytes` } });
          return done(new Error(`payload of ${bytes} bytes is larger than ${MAX_PAYLOAD_BYTES}`));
        }
        const reserved = topic.startsWith('$aws/events/') || ANSWER_TOPIC.test(topic);
        const decide = (authz: SessionAuthorizer): void => {
          const thing = authz.thingName;
          if (reserved || authz.publish(topic, packet.retain) !== 'ALLOW') {
            if (thing) this.counters.authorizationFailure(scope, thing, topic);
            // MQTT 5: PUBACK 0x87 (QoS 1) or nothing (QoS 0), and the session stays; 3.1.1: it is closed.
            if (!v5) l.reason = 'AUTH_ERROR';
            return done(new NotAuthorized());
          }
          if (thing) this.counters.sent(scope, thing, topic, bytes);
          const report = REPORT_TOPIC.exec(topic);
          if (report) this.report(b, scope, report[1], report[2] as 'json' | 'cbor', payload);
          done(null);
        };
        if (l.reloading) void current(l).then(decide);
        else decide(l.authz);
      },
      authorizeSubscribe: (client, sub, done) => {
        const l = client && this.live.get(client);
        if (!l) return done(null, null);
        const decide = (authz: SessionAuthorizer): void => {
          if (authz.subscribe(sub.topic) === 'ALLOW') return done(null, sub);
          if (authz.thingName) this.counters.authorizationFailure(scope, authz.thingName, sub.topic);
          done(null, null);
        };
        if (l.reloading) void current(l).then(decide);
        else decide(l.authz);
      },
      authorizeForward: (client, packet) => {
        const l = this.live.get(client);
        // Synchronous: a session whose policies are being re-read receives nothing meanwhile.
        // A metrics report goes to Detect, not to subscribers.
        if (!l || l.reloading || REPORT_TOPIC.test(packet.topic) || l.authz.receive(packet.topic) !== 'ALLOW') return null;
        if (l.authz.thingName) this.counters.received(scope, l.authz.thingName, packet.topic, packet.payload.length);
        batchWrites(client);
        return packet;
      },
    });
    b.on('client', (client) => {
      const l = this.live.get(client);
      if (!l) return;
      l.connectedAt = l.acceptedAt;
      this.events.add(scope, { clientId: client.id, certificateId: l.session.certificateId, principal: l.session.certificateArn, sourceIp: l.session.sourceIp, connectedAt: l.connectedAt });
      publish(b, `$aws/events/presence/connected/${client.id}`, {
        clientId: client.id,
        timestamp: l.connectedAt,
        eventType: 'connected',
        sessionIdentifier: l.sessionIdentifier,
        principalIdentifier: l.session.certificateId,
        ipAddress: l.session.sourceIp,
        versionNumber: 0,
      });
    });
    b.on('keepaliveTimeout', (client) => {
      const l = this.live.get(client);
      if (l) l.reason ??= 'MQTT_KEEP_ALIVE_TIMEOUT';
    });
    b.on('clientError', (client, e) => {
      const l = this.live.get(client);
      // aedes reports here too an MQTT 5 publish it refused (PUBACK 0x87), which leaves the session open.
      if (!l || (speaksMqtt5(client) && e instanceof NotAuthorized)) return;
      l.reason ??= isPacketTooLarge(e) ? 'CLIENT_ERROR' : 'CONNECTION_LOST';
    });
    // aedes lists refused subscriptions too (granted 0x80, or a v5 reason code from 0x80 up): the event names the granted ones.
    b.on('subscribe', (subs, client) => this.subscriptionEvent(b, client, 'subscribed', subs.filter((x) => (x.qos as number) < 0x80).map((x) => x.topic)));
    b.on('unsubscribe', (topics, client) => this.subscriptionEvent(b, client, 'unsubscribed', topics));
    b.on('clientDisconnect', (client) => {
      const l = this.live.get(client);
      if (!l || l.connectedAt === undefined) return;
      const byClient = (client as unknown as { _disconnected?: boolean })._disconnected === true;
      const reason = l.reason ?? (byClient ? 'CLIENT_INITIATED_DISCONNECT' : 'CONNECTION_LOST');
      const at = this.opts.clock.now().getTime();
      if (l.authz.thingName) this.counters.disconnect(scope, l.authz.thingName);
      this.events.add(scope, {
        clientId: client.id,
        certificateId: l.session.certificateId,
        principal: l.session.certificateArn,
        sourceIp: l.session.sourceIp,
        connectedAt: l.connectedAt,
        disconnectedAt: at,
        disconnectReason: reason,
      });
      if (client.id.includes('#') || client.id.includes('+')) return;
      publish(b, `$aws/events/presence/disconnected/${client.id}`, {
        clientId: client.id,
        timestamp: at,
        eventType: 'disconnected',
        sessionIdentifier: l.sessionIdentifier,
        principalIdentifier: l.session.certificateId,
        clientInitiatedDisconnect: reason === 'CLIENT_INITIATED_DISCONNECT',
        disconnectReason: reason,
        versionNumber: 0,
      });
    });
    return b;
  }

  /** `$aws/events/subscriptions/{subscribed|unsubscribed}/{clientId}`, as AWS IoT Core's lifecycle events. */
  private subscriptionEvent(b: Aedes, client: Client | null, eventType: 'subscribed' | 'unsubscribed', topics: string[]): void {
    const l = client && this.live.get(client);
    if (!client || !l || topics.length === 0 || client.id.includes('#') || client.id.includes('+')) return;
    publish(b, `$aws/events/subscriptions/${eventType}/${client.id}`, {
      clientId: client.id,
      timestamp: this.opts.clock.now().getTime(),
      eventType,
      sessionIdentifier: l.sessionIdentifier,
      principalIdentifier: l.session.certificateId,
      topics,
    });
  }

  /**
   * A device's metrics report: to Detect, and its answer to `.../accepted` or `.../rejected`
   * (JSON on the json topic, CBOR on the cbor one), which every session allowed to receive it gets.
   */
  private report(b: Aedes, scope: Scope, thingName: string, format: 'json' | 'cbor', payload: Buffer): void {
    const reports = this.opts.reports;
    if (!reports) return;
    reports.submitDeviceReport(scope, thingName, payload, format).then(
      (answer) => {
        if (this.closing) return;
        const topic = `$aws/things/${thingName}/defender/metrics/${format}/${answer.status === 'ACCEPTED' ? 'accepted' : 'rejected'}`;
        publishBytes(b, topic, format === 'cbor' ? Buffer.from(encodeCbor(answer)) : Buffer.from(JSON.stringify(answer)));
      },
      (e) => this.opts.log.warn({ err: (e as Error).message, thingName }, 'mqtt metrics report not evaluated'),
    );
  }

  /** A session's decisions, compiled again while the scope's policies changed under the compilation. */
  private async compile(session: Session): Promise<SessionAuthorizer> {
    const key = scopeKey(session);
    for (;;) {
      const seen = this.changes.get(key) ?? 0;
      const authz = await this.authorizer.forSession(session);
      if ((this.changes.get(key) ?? 0) === seen) return authz;
    }
  }

  /** Keeps the session among its scope's until its connection closes. */
  private track(scope: Scope, l: Live, client: Client): void {
    const key = scopeKey(scope);
    let set = this.sessions.get(key);
    if (!set) this.sessions.set(key, (set = new Set()));
    set.add(l);
    const conn = client.conn as unknown as { destroyed?: boolean; once(e: 'close', f: () => void): void };
    if (conn.destroyed) set.delete(l);
    else conn.once('close', () => set.delete(l));
  }

  /** A policy change of the scope has committed: every session there is stale until it has reloaded. */
  private policiesChanged(scope: Scope): void {
    const key = scopeKey(scope);
    this.changes.set(key, (this.changes.get(key) ?? 0) + 1);
    for (const l of this.sessions.get(key) ?? []) this.reload(l);
  }

  private reload(l: Live): void {
    const generation = ++l.generation;
    const install = (authz: SessionAuthorizer): void => {
      if (l.generation !== generation) return;
      l.authz = authz;
      l.reloading = undefined;
    };
    l.reloading = this.compile(l.session).then(install, (e) => {
      this.opts.log.warn({ err: (e as Error).message, clientId: l.session.clientId }, 'mqtt session policies could not be re-read; it is allowed nothing');
      install(DENY_ALL);
    });
  }

  /** Closes every session of the certificate in the scope, or of every certificate the CA signed (it is no longer ACTIVE). */
  private async closeCertificate(scope: Scope, certificateId: string, ca: boolean): Promise<void> {
    const b = await this.brokers.get(scopeKey(scope));
    if (!b) return;
    for (const client of Object.values(clientsOf(b))) {
      const l = this.live.get(client);
      if (!l || (ca ? l.session.caCertificateId : l.session.certificateId) !== certificateId) continue;
      l.reason = 'AUTH_ERROR';
      this.opts.log.info({ clientId: client.id, [ca ? 'caCertificateId' : 'certificateId']: certificateId }, `mqtt session closed: ${ca ? 'CA ' : ''}certificate no longer ACTIVE`);
      // MQTT 5: DISCONNECT 0x87 (not authorized) first; 3.1.1: the connection is closed.
      client.disconnect({ reasonCode: REASON.NOT_AUTHORIZED });
    }
  }

  /** Writes what the broker has gathered for the database (connection events, cloud-side counters). */
  async flush(): Promise<void> {
    await Promise.all([this.events.flush(), this.counters.flush()]);
  }

  /** Stops accepting, closes every session and broker, writes the connection events still queued. */
  async close(): Promise<void> {
    this.closing = true;
    this.stopListening?.();
    this.stopPolicyNotices?.();
    const closed = this.server ? new Promise<void>((resolve) => this.server!.close(() => resolve())) : Promise.resolve();
    for (const s of this.sockets) s.destroy();
    await closed;
    const all = [...this.brokers.values(), ...(this.refuser ? [this.refuser] : [])];
    await Promise.all(all.map(async (p) => new Promise<void>((resolve) => p.then((b) => b.close(() => resolve()), () => resolve()))));
    await this.events.close();
    await this.counters.close();
  }
}

/** The session's decisions once every reload under way has finished. */
async function current(l: Live): Promise<SessionAuthorizer> {
  while (l.reloading) await l.reloading;
  return l.authz;
}
