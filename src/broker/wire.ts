import type { Aedes, Client } from 'aedes';

/**
 * What the broker does at aedes's edges: AWS IoT Core's size limits and reserved topics, messages
 * from the broker itself, and what it does to a client's parser and socket (packet size limit,
 * batched writes), beside aedes's own handling.
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

export class PacketTooLarge extends Error {}

/**
 * Refuses an MQTT packet whose remaining length is over `max` as soon as its length is read, so a
 * client cannot make the broker buffer a huge packet. mqtt-packet (aedes's parser) has no limit of
 * its own for MQTT 3.1.1: its length step is wrapped, on this client's parser only.
 */
export function limitPacketSize(client: Client, max: number): void {
  type Parser = { packet: { length: number }; _parseLength(): boolean; _emitError(e: Error): void };
  const parser = (client as unknown as { _parser?: Parser })._parser;
  if (!parser || typeof parser._parseLength !== 'function') throw new Error('aedes client has no parser to limit (aedes changed?)');
  const parseLength = parser._parseLength.bind(parser);
  parser._parseLength = () => {
    const ok = parseLength();
    if (ok && parser.packet.length > max) {
      parser._emitError(new PacketTooLarge(`MQTT packet of ${parser.packet.length} bytes is larger than ${max}`));
      return false;
    }
    return ok;
  };
}
