import type { Aedes, Client } from 'aedes';

/**
 * What the broker does at aedes's edges: AWS IoT Core's size limits and reserved topics, messages
 * from the broker itself, and what it does to a client's socket (batched writes), beside aedes's
 * own handling.
 */

/** AWS IoT Core's largest message payload: 128 KB. */
export const MAX_PAYLOAD_BYTES = 131_072;
/**
 * The largest MQTT packet read: a PUBLISH of the largest payload with a topic of any length MQTT
 * allows (a bigger one is cut off while its length is read, before it is buffered).
 */
export const MAX_PACKET_BYTES = MAX_PAYLOAD_BYTES + 2 + 65_535 + 2;
/** Device Defender's reserved topic of a device's metrics report, and its answer topics. */
export const REPORT_TOPIC = /^\$aws\/things\/([^/]+)\/defender\/metrics\/(json|cbor)$/;
export const ANSWER_TOPIC = /^\$aws\/things\/[^/]+\/defender\/metrics\/(json|cbor)\/(accepted|rejected)$/;

/** aedes's connected clients by id (public in its code, missing from its types). */
export const clientsOf = (b: Aedes): Record<string, Client> => (b as unknown as { clients: Record<string, Client> }).clients;

/** A message from the broker itself (lifecycle and registry events), QoS 0, not retained. */
export function publish(b: Aedes, topic: string, body: Record<string, unknown>): void {
  publishBytes(b, topic, Buffer.from(JSON.stringify(body)));
}

export function publishBytes(b: Aedes, topic: string, payload: Buffer): void {
  b.publish({ cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false }, () => undefined);
}

/** An IPv4 address as itself, not IPv6-mapped (`::ffff:10.0.0.1`), as Detect's CIDR sets and the audits compare it. */
export const plainAddress = (ip: string | undefined): string | undefined => (ip?.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip);

const batching = new WeakSet<object>();

/**
 * Holds a receiving client's writes until the event loop's next turn (setImmediate), so the
 * deliveries routed to it in one turn leave in one TLS write: under load, a subscriber of many
 * devices gets its messages in a few large writes rather than one system call each. mqtt-packet
 * corks the socket per packet and uncorks on the next tick; this outer cork keeps them together.
 */
export function batchWrites(client: Client): void {
  const conn = client.conn as unknown as { cork?: () => void; uncork?: () => void; destroyed?: boolean };
  if (batching.has(conn) || typeof conn.cork !== 'function' || conn.destroyed) return;
  batching.add(conn);
  conn.cork();
  setImmediate(() => {
    batching.delete(conn);
    conn.uncork!();
  });
}

/**
 * What every broker here (each scope's and the refusing one) tells aedes of AWS IoT Core's limits.
 * maximumPacketSize is checked by aedes as soon as a packet's length is read, before the packet
 * is buffered (a v5 client gets DISCONNECT 0x95; a 3.1.1 client is dropped) and advertised to
 * MQTT 5 clients in the CONNACK with the others: AWS's 8 topic aliases per connection, 100 QoS 1
 * messages in flight, and sessions kept at most an hour after their connection ends.
 */
export const MQTT_LIMITS = {
  maximumPacketSize: MAX_PACKET_BYTES + 5,
  topicAliasMaximum: 8,
  receiveMaximum: 100,
  sessionExpiryIntervalLimit: 3600,
} as const;

/** MQTT 5 reason codes the broker sends itself. */
export const REASON = { NOT_AUTHORIZED: 0x87, PACKET_TOO_LARGE: 0x95 } as const;

/** A refused publish (its message is the MQTT 5 PUBACK's reason string). */
export class NotAuthorized extends Error {
  constructor() {
    super('Not authorized');
  }
}

/** aedes's error for a packet over maximumPacketSize. */
export const isPacketTooLarge = (e: unknown): boolean => e instanceof Error && typeof (e as { maximumPacketSize?: unknown }).maximumPacketSize === 'number';

/** MQTT 5 sessions stay connected when a publish is refused (PUBACK 0x87); 3.1.1 sessions are closed. */
export const speaksMqtt5 = (client: Client): boolean => client.version === 5;
