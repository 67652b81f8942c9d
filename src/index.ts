import type http from 'node:http';
import pino, { type Logger } from 'pino';
import { systemClock, type Clock } from './base/clock.js';
import { Metrics } from './api/metrics.js';
import { loadModel } from './api/model.js';
import { AwsPipeline } from './api/pipeline.js';
import { addressOf, createHttpServer, type HttpLimits } from './api/server.js';
import { HostGuard } from './admin/guard.js';
import { adminEndpoints } from './admin/index.js';
import { consoleEndpoints } from './console/index.js';
import { backfillCertificateFacts } from './registry/cert-facts.js';
import { DEFAULT_SKEW_MS, SigV4Verifier, type Credential } from './api/sigv4.js';
import { ConfigError, DEFAULT_CREDENTIAL, isLoopback, loadCredentialsFile } from './config.js';
import { createActionHandlers } from './actions/index.js';
import { completeDelivered } from './engine/complete.js';
import { Engine } from './engine/runner.js';
import { AuditRunner } from './audit/runner.js';
import { Detector } from './detect/detector.js';
import type { MlOptions } from './detect/ml.js';
import type { Scope } from './base/scope.js';
import { startSnsDelivery } from './engine/sns-delivery.js';
import { loadSubjects } from './engine/subjects.js';
import { service } from './operations/index.js';
import { API_QUOTAS } from './operations/quotas.js';
import { RateLimiter } from './api/rate-limit.js';
import { Store } from './store/store.js';
import { Broker } from './broker/broker.js';
import { policyAuthorizer, type Authorizer } from './broker/authorize.js';
import { sessionPolicies } from './broker/session-policies.js';
import { compilePolicy, decide } from './policy/engine.js';
import { effectivePolicyDocuments } from './registry/effective-policies.js';
import { listenToOtherNodes } from './registry/notice.js';
export type { Authorizer, SessionAuthorizer, Session, Decision } from './broker/authorize.js';

export { ConfigError } from './config.js';
export { DatabaseOpenError } from './store/driver.js';
export { ManualClock, systemClock, type Clock } from './base/clock.js';
export type { Credential } from './api/sigv4.js';

export interface WardenOptions {
  host?: string;
  port?: number;
  /** SQLite lives in `<dataDir>/warden.sqlite` unless databaseUrl is set. */
  dataDir?: string;
  /** `postgres://...`; `?schema=NAME` keeps Warden's tables in that schema. */
  databaseUrl?: string;
  /** Credentials in place of the default `test`/`test` → 000000000000. */
  credentials?: Credential[];
  credentialsFile?: string;
  enableReset?: boolean;
  /** Run mitigation tasks, audits and scheduled audits on this node (default true). */
  engine?: boolean;
  /** SNS API that PUBLISH_FINDING_TO_SNS delivers to; without it messages stay in the outbox (GET /_warden/sns/messages). */
  snsEndpoint?: string;
  /** Signing region for SNS (default: each topic ARN's region). */
  snsRegion?: string;
  /** Credentials for SNS (default: the AWS SDK's credential chain). */
  snsCredentials?: { accessKeyId: string; secretAccessKey: string };
  logLevel?: string;
  logger?: Logger;
  /**
   * Refuse a thing's device metrics reports that come less than 300 s apart, as AWS documents
   * (default true; false lets tests and load generators report as fast as they like).
   */
  detectThrottle?: boolean;
  /**
   * ML Detect's training minimums: the days a behavior collects before its first model (and the
   * trailing window models are built from) and the datapoints that window must hold. Defaults:
   * AWS's 14 days and 25,000 datapoints; smaller values let tests and small fleets train.
   */
  detectMl?: { trainingDays?: number; minDatapoints?: number };
  /** Enforce AWS's API rate quotas (ThrottlingException past them; SEMANTICS.md D21). Off by default. */
  throttle?: boolean;
  clock?: Clock;
  skewMs?: number;
  /** Names besides the loopback ones and the listen address that /_warden/ requests may give as Host or Origin. */
  allowedHosts?: string[];
  /** GET /_warden/sns/messages unsigned and across accounts (local use). */
  openSnsMessages?: boolean;
  /** The console's built files (default dist/console of the project; `false` serves no console). */
  consoleDir?: string | false;
  /** Connection limits against slow or greedy clients (defaults in src/api/server.ts). */
  limits?: Partial<HttpLimits>;
  /**
   * The MQTT broker (mutual TLS): off unless given (`warden serve` gives port 8883). `{ port: 0 }`
   * picks a free port; `host` is the address it listens on (default: `host` above); `names` are
   * the extra names of its server certificate, the first of them what DescribeEndpoint answers;
   * `authorizer` decides its actions (default: the IoT policies, src/policy/engine.ts).
   */
  mqtt?: false | { port?: number; host?: string; names?: string[]; authorizer?: Authorizer };
}

export interface WardenServer {
  readonly store: Store;
  /** Detect's evaluation on this node (device reports go to it; tests run its sweep). */
  readonly detector: Detector;
  readonly log: Logger;
  /** Listens; resolves with the URL once connections are accepted. */
  listen(): Promise<string>;
  /** Stops accepting, finishes in-flight requests, closes the database. */
  close(): Promise<void>;
  readonly url: string;
  /** The MQTT broker once listening (undefined when off): its port, the host DescribeEndpoint answers, the root CA in PEM. */
  readonly mqtt?: {
    readonly port: number;
    readonly host: string;
    readonly caPem: string;
    /** Writes the connection events and cloud-side counters the broker has gathered (it writes them every 200 ms and 1 s). */
    flush(): Promise<void>;
  };
}

/** The ML options, checked: whole numbers, at least 1 day and 1 datapoint (ConfigError otherwise). */
function detectMlOptions(o: WardenOptions['detectMl']): MlOptions | undefined {
  if (!o) return undefined;
  const check = (name: string, v: number | undefined, min: number): number | undefined => {
    if (v !== undefined && (!Number.isInteger(v) || v < min)) throw new ConfigError(`detectMl.${name} must be a whole number of at least ${min}, not ${v}`);
    return v;
  };
  const out: MlOptions = {};
  const days = check('trainingDays', o.trainingDays, 1);
  const min = check('minDatapoints', o.minDatapoints, 1);
  if (days !== undefined) out.trainingDays = days;
  if (min !== undefined) out.minDatapoints = min;
  return out;
}

/** The library entry point: the CLI, the tests and the benchmarks all start Warden through this. */
export async function createServer(options: WardenOptions = {}): Promise<WardenServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 4580;
  const log = options.logger ?? pino({ level: options.logLevel ?? 'info', base: { service: 'warden' } });
  const credentials = options.credentials ?? (options.credentialsFile ? loadCredentialsFile(options.credentialsFile) : [DEFAULT_CREDENTIAL]);
  const onlyDefault = credentials.every((c) => c.accessKeyId === DEFAULT_CREDENTIAL.accessKeyId && c.secretAccessKey === DEFAULT_CREDENTIAL.secretAccessKey);
  if (!isLoopback(host) && onlyDefault) {
    throw new ConfigError(
      `refusing to listen on ${host} with only the default credential test/test: give --credentials FILE with your own keys, or listen on 127.0.0.1`,
    );
  }
  const clock = options.clock ?? systemClock;
  const mlOptions = detectMlOptions(options.detectMl);
  const store = await Store.open({
    dataDir: options.dataDir ?? './warden-data',
    databaseUrl: options.databaseUrl,
    onPoolError: (e) => log.warn({ err: e.message }, 'database connection lost'),
  });
  try {
    const filled = await backfillCertificateFacts(store);
    if (filled) log.info({ filled }, 'certificate facts filled in for certificates stored before schema version 9');
  } catch (e) {
    await store.close().catch(() => undefined);
    throw e;
  }
  const verifier = new SigV4Verifier(new Map(credentials.map((c) => [c.accessKeyId, c])), () => clock.now(), options.skewMs ?? DEFAULT_SKEW_MS);
  const metrics = new Metrics();
  const runEngine = options.engine !== false;
  const delivery =
    runEngine && options.snsEndpoint
      ? startSnsDelivery({
          store,
          log,
          clock,
          endpoint: options.snsEndpoint,
          region: options.snsRegion,
          credentials: options.snsCredentials,
          onDelivered: (tx, key, outcome) => completeDelivered(tx, key, outcome, clock),
        })
      : undefined;
  const engine = new Engine({
    store,
    handlers: createActionHandlers({ snsDelivery: !!options.snsEndpoint }),
    loadSubjects,
    clock,
    log,
    onBatch: () => delivery?.wake(),
  });
  const audits = new AuditRunner({ store, clock, log, snsDelivery: !!delivery, onNotify: () => delivery?.wake() });
  const wakeEngine = () => {
    engine.wake();
    audits.wake();
  };
  const detector = new Detector({
    store,
    clock,
    log,
    snsDelivery: !!delivery,
    throttleReports: options.detectThrottle !== false,
    onAlerts: () => delivery?.wake(),
    run: runEngine,
    ml: mlOptions,
  });
  const detect = { snsDelivery: !!delivery, profilesChanged: (scope: Scope) => detector.profiles.invalidate(scope), ml: detector.mlOptions };
  const rateLimiter = options.throttle ? new RateLimiter(API_QUOTAS) : undefined;
  const mqttOptions = options.mqtt || undefined;
  const broker = mqttOptions
    ? new Broker({ store, clock, log, port: mqttOptions.port ?? 8883, host: mqttOptions.host ?? host, names: mqttOptions.names, authorizer: mqttOptions.authorizer ?? policyAuthorizer({ compilePolicy, decide }, sessionPolicies(store.repos, effectivePolicyDocuments)), dataDir: options.dataDir ?? (options.databaseUrl ? undefined : './warden-data'), reports: detector })
    : undefined;
  let mqtt: WardenServer['mqtt'];
  const dataPlane = { endpoint: () => mqtt && { host: mqtt.host, port: mqtt.port } };
  const pipeline = new AwsPipeline(loadModel(), service, verifier, store, clock, log, wakeEngine, rateLimiter, detect, dataPlane);
  const hosts = new HostGuard(host, options.allowedHosts);
  const admin = { store, metrics, enableReset: options.enableReset ?? false, hosts, openSnsMessages: options.openSnsMessages, verifier, clock, log, wakeEngine, detector, detect };
  const server: http.Server = createHttpServer(pipeline, [adminEndpoints(admin), ...(options.consoleDir === false ? [] : [consoleEndpoints(options.consoleDir)])], metrics, log, options.limits);
  let url = '';
  let closing: Promise<void> | undefined;
  // The broker hears the registry changes made on the other nodes sharing a PostgreSQL database.
  let stopNotices: (() => Promise<void>) | undefined;

  return {
    store,
    log,
    detector,
    get url() {
      return url;
    },
    get mqtt() {
      return mqtt;
    },
    listen: () =>
      new Promise<string>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const a = addressOf(server);
          url = `http://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
          if (runEngine) engine.start();
          const brokerStarted = broker && listenToOtherNodes(store, log).then((stop) => ((stopNotices = stop), broker.start()));
          Promise.all([runEngine ? audits.start() : undefined, detector.start(), brokerStarted]).then(() => {
            if (broker) mqtt = { port: broker.port, host: mqttOptions?.names?.[0] ?? 'localhost', caPem: broker.caPem, flush: () => broker.flush() };
            resolve(url);
          }, reject);
        });
      }),
    close: () =>
      (closing ??= (async () => {
        // Finish what is in flight; connections that fall idle meanwhile are closed as they do.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        const deadline = setTimeout(() => server.closeAllConnections(), 10_000);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        clearInterval(sweep);
        clearTimeout(deadline);
        await stopNotices?.();
        await broker?.close();
        await engine.stop();
        await audits.stop();
        await detector.stop();
        await delivery?.close();
        await store.close();
      })()),
  };
}
