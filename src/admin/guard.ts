import { ServiceError } from '../base/errors.js';

/** 403 for a Warden endpoint reached from where it must not be (another site, a rebound DNS name). */
export class WardenForbidden extends ServiceError {
  constructor(message: string) {
    super('AccessDeniedException', 403, 'client', message);
  }
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

/**
 * The names a request to a Warden endpoint may give as its Host (and its Origin, when it has one):
 * the loopback names, the address the server listens on (unless it is a wildcard), and the names
 * given with --allowed-host. A page on another site that the browser lets talk to 127.0.0.1, or a
 * name that an attacker's DNS rebinds to it, then cannot read or reset Warden's state.
 */
export class HostGuard {
  private readonly names: Set<string>;

  constructor(listenHost: string, allowed: readonly string[] = []) {
    this.names = new Set([...LOOPBACK_NAMES, ...allowed.map(normalise)]);
    if (!['0.0.0.0', '::', ''].includes(listenHost)) this.names.add(normalise(listenHost));
  }

  /** Throws WardenForbidden when Host is missing or foreign, or Origin is present and foreign. */
  check(headers: Record<string, string | string[] | undefined>): void {
    const host = first(headers.host);
    const hostName = host === undefined ? undefined : hostnameOf(`http://${host}`);
    if (hostName === undefined || !this.names.has(hostName)) {
      throw new WardenForbidden(
        `Host '${host ?? ''}' is not one of this server's names (${[...this.names].join(', ')}); start Warden with --allowed-host ${hostName ?? 'NAME'} to allow it.`,
      );
    }
    const origin = first(headers.origin);
    if (origin === undefined) return;
    const originName = hostnameOf(origin);
    if (originName === undefined || !this.names.has(originName)) {
      throw new WardenForbidden(`Requests from the web origin '${origin}' are refused: Warden's endpoints answer only pages of its own names.`);
    }
  }
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

function normalise(name: string): string {
  return name.toLowerCase().replace(/^\[(.*)\]$/, '$1');
}

function hostnameOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? normalise(u.hostname) : undefined;
  } catch {
    return undefined;
  }
}
