import { parseArgs } from 'node:util';
import { createServer, type WardenOptions } from '../index.js';

/** Every `warden serve` option, with its WARDEN_* environment variable. */
export const SERVE_OPTIONS = {
  host: { type: 'string', env: 'WARDEN_HOST', help: 'address to listen on (default 127.0.0.1)' },
  port: { type: 'string', env: 'WARDEN_PORT', help: 'port to listen on (default 4580; 0 picks a free one)' },
  'data-dir': { type: 'string', env: 'WARDEN_DATA_DIR', help: 'folder of the SQLite database (default ./warden-data)' },
  'database-url': { type: 'string', env: 'WARDEN_DATABASE_URL', help: 'postgres://user@host:port/db[?schema=NAME] to use PostgreSQL instead of SQLite' },
  credentials: { type: 'string', env: 'WARDEN_CREDENTIALS', help: 'YAML or JSON file of {accessKeyId, secretAccessKey, accountId} entries' },
  'enable-reset': { type: 'boolean', env: 'WARDEN_ENABLE_RESET', help: 'allow POST /_warden/reset to wipe all state (for tests)' },
  'no-engine': { type: 'boolean', env: 'WARDEN_NO_ENGINE', help: 'serve the API only: run no mitigation tasks, audits or scheduled audits on this node (another node does)' },
  'sns-endpoint': { type: 'string', env: 'WARDEN_SNS_ENDPOINT', help: 'SNS API URL that PUBLISH_FINDING_TO_SNS delivers to (default: messages stay in the outbox)' },
  'sns-region': { type: 'string', env: 'WARDEN_SNS_REGION', help: "signing region for SNS (default: the topic ARN's region)" },
  'sns-access-key-id': { type: 'string', env: 'WARDEN_SNS_ACCESS_KEY_ID', help: "access key for SNS (default: the AWS SDK's credential chain)" },
  'sns-secret-access-key': { type: 'string', env: 'WARDEN_SNS_SECRET_ACCESS_KEY', help: 'secret key for SNS, with --sns-access-key-id' },
  'allowed-host': { type: 'string', env: 'WARDEN_ALLOWED_HOSTS', help: 'comma-separated names besides localhost, 127.0.0.1, ::1 and --host that /_warden/ requests may give as Host or Origin' },
  'open-sns-messages': { type: 'boolean', env: 'WARDEN_OPEN_SNS_MESSAGES', help: 'answer GET /_warden/sns/messages unsigned and for every account (local use only)' },
  'headers-timeout-ms': { type: 'string', env: 'WARDEN_HEADERS_TIMEOUT_MS', help: "time a request's headers may take to arrive (default 10000)" },
  'max-connections-per-client': { type: 'string', env: 'WARDEN_MAX_CONNECTIONS_PER_CLIENT', help: 'open connections one client address may hold (default 256)' },
  'no-detect-throttle': {
    type: 'boolean',
    env: 'WARDEN_NO_DETECT_THROTTLE',
    help: "take a thing's device metrics reports however often they come (default: refused less than 300 s apart, as AWS does)",
  },
  'detect-ml-training-days': {
    type: 'string',
    env: 'WARDEN_DETECT_ML_TRAINING_DAYS',
    help: "days an ML Detect behavior collects before its first model, and the trailing window models are built from (default 14, AWS's)",
  },
  'detect-ml-min-datapoints': {
    type: 'string',
    env: 'WARDEN_DETECT_ML_MIN_DATAPOINTS',
    help: "datapoints the training window must hold for an ML Detect model to be built (default 25000, AWS's)",
  },
  'mqtt-port': { type: 'string', env: 'WARDEN_MQTT_PORT', help: 'port of the MQTT broker (mutual TLS; default 8883; 0 turns it off)' },
  'mqtt-host': {
    type: 'string',
    env: 'WARDEN_MQTT_HOST',
    help: "comma-separated names (DNS or IP) the broker's certificate carries besides localhost and 127.0.0.1; the first is what DescribeEndpoint answers",
  },
  'no-mqtt': { type: 'boolean', env: 'WARDEN_NO_MQTT', help: 'run no MQTT broker on this node' },
  throttle: { type: 'boolean', env: 'WARDEN_THROTTLE', help: "enforce AWS's API rate quotas per account, region and operation (ThrottlingException past them)" },
  'log-level': { type: 'string', env: 'WARDEN_LOG_LEVEL', help: 'fatal, error, warn, info (default), debug, trace or silent' },
  help: { type: 'boolean', env: '', help: 'show this help' },
} as const;

export function serveHelp(): string {
  const lines = Object.entries(SERVE_OPTIONS).map(([name, o]) => {
    const flag = `--${name}${o.type === 'string' ? ' VALUE' : ''}`;
    return `  ${flag.padEnd(24)} ${o.help}${o.env ? ` [${o.env}]` : ''}`;
  });
  return `Usage: warden serve [options]\n\nStarts Warden, the AWS IoT Device Defender service, on one machine.\n\nOptions:\n${lines.join('\n')}\n`;
}

function envBool(v: string | undefined): boolean | undefined {
  if (v === undefined || v === '') return undefined;
  return /^(1|true|yes|on)$/i.test(v);
}

export function serveOptions(argv: string[], env: NodeJS.ProcessEnv): WardenOptions & { help?: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.entries(SERVE_OPTIONS).map(([k, o]) => [k, { type: o.type }])) as never,
    strict: true,
  });
  const v = values as Record<string, string | boolean | undefined>;
  const pick = (name: keyof typeof SERVE_OPTIONS): string | undefined => (v[name] as string | undefined) ?? (env[SERVE_OPTIONS[name].env] || undefined);
  const portText = pick('port');
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new Error(`--port must be a whole number from 0 to 65535, not '${portText}'`);
  const mqttPortText = pick('mqtt-port');
  const mqttPort = mqttPortText === undefined ? 8883 : Number(mqttPortText);
  if (!Number.isInteger(mqttPort) || mqttPort < 0 || mqttPort > 65535) throw new Error(`--mqtt-port must be a whole number from 0 to 65535, not '${mqttPortText}'`);
  const noMqtt = (v['no-mqtt'] as boolean | undefined) ?? envBool(env.WARDEN_NO_MQTT) ?? false;
  const mqttNames = pick('mqtt-host')?.split(',').map((h) => h.trim()).filter(Boolean);
  return {
    help: v.help as boolean | undefined,
    mqtt: noMqtt || mqttPort === 0 ? false : { port: mqttPort, names: mqttNames },
    host: pick('host'),
    port,
    dataDir: pick('data-dir'),
    databaseUrl: pick('database-url'),
    credentialsFile: pick('credentials'),
    enableReset: (v['enable-reset'] as boolean | undefined) ?? envBool(env.WARDEN_ENABLE_RESET) ?? false,
    engine: !((v['no-engine'] as boolean | undefined) ?? envBool(env.WARDEN_NO_ENGINE) ?? false),
    logLevel: pick('log-level'),
    throttle: (v.throttle as boolean | undefined) ?? envBool(env.WARDEN_THROTTLE) ?? false,
    detectThrottle: !((v['no-detect-throttle'] as boolean | undefined) ?? envBool(env.WARDEN_NO_DETECT_THROTTLE) ?? false),
    allowedHosts: pick('allowed-host')?.split(',').map((h) => h.trim()).filter(Boolean),
    openSnsMessages: (v['open-sns-messages'] as boolean | undefined) ?? envBool(env.WARDEN_OPEN_SNS_MESSAGES) ?? false,
    limits: limitOptions(pick('headers-timeout-ms'), pick('max-connections-per-client')),
    detectMl: mlOptions(pick('detect-ml-training-days'), pick('detect-ml-min-datapoints')),
    ...snsOptions(pick('sns-endpoint'), pick('sns-region'), pick('sns-access-key-id'), pick('sns-secret-access-key')),
  };
}

const whole = (flag: string, text: string | undefined, min: number): number | undefined => {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${flag} must be a whole number of at least ${min}, not '${text}'`);
  return n;
};

function mlOptions(trainingDays?: string, minDatapoints?: string): WardenOptions['detectMl'] {
  const days = whole('detect-ml-training-days', trainingDays, 1);
  const min = whole('detect-ml-min-datapoints', minDatapoints, 1);
  if (days === undefined && min === undefined) return undefined;
  return { ...(days !== undefined ? { trainingDays: days } : {}), ...(min !== undefined ? { minDatapoints: min } : {}) };
}

function limitOptions(headersTimeout?: string, perClient?: string): WardenOptions['limits'] {
  return { headersTimeoutMs: whole('headers-timeout-ms', headersTimeout, 100), maxConnectionsPerClient: whole('max-connections-per-client', perClient, 1) };
}

function snsOptions(endpoint?: string, region?: string, accessKeyId?: string, secretAccessKey?: string): Pick<WardenOptions, 'snsEndpoint' | 'snsRegion' | 'snsCredentials'> {
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) throw new Error('--sns-access-key-id and --sns-secret-access-key go together');
  if (endpoint !== undefined && !/^https?:\/\/[^/]/.test(endpoint)) throw new Error(`--sns-endpoint must be an http:// or https:// URL, not '${endpoint}'`);
  return { snsEndpoint: endpoint, snsRegion: region, snsCredentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined };
}

export async function serve(argv: string[]): Promise<number> {
  const opts = serveOptions(argv, process.env);
  if (opts.help) {
    process.stdout.write(serveHelp());
    return 0;
  }
  const server = await createServer(opts);
  const url = await server.listen();
  const hint = opts.credentialsFile ? `credentials from ${opts.credentialsFile}` : 'access key test, secret test, account 000000000000';
  process.stdout.write(`Warden listening on ${url} (${hint}; backend ${server.store.dialect})\n`);
  if (server.mqtt) process.stdout.write(`MQTT broker on mqtts://${server.mqtt.host}:${server.mqtt.port} (mutual TLS; CA at ${url}/_warden/ca.pem)\n`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      server.log.info({ signal }, 'shutting down');
      server.close().then(resolve, (e) => {
        server.log.error({ err: e }, 'shutdown failed');
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}
