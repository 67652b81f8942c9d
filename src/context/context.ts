import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import type { Clock } from '../base/clock.js';
import type { Scope } from '../base/scope.js';

/** What an operation gets besides its input. Nothing here knows HTTP. */
export interface Context extends Scope {
  readonly requestId: string;
  readonly operation: string;
  readonly store: Store;
  readonly clock: Clock;
  readonly log: Logger;
  /** Tells the background engine that new work is waiting. */
  readonly wakeEngine: () => void;
  /** Detect on this node: whether SNS alerts are delivered (else stored), and a profile change to see at once. */
  readonly detect?: DetectHooks;
  /** The MQTT broker of this node, once it listens (DescribeEndpoint answers it). */
  readonly dataPlane?: DataPlane;
}

export interface DataPlane {
  /** Host name devices connect to and the port, or undefined while the broker is off. */
  endpoint(): { host: string; port: number } | undefined;
}

export interface DetectHooks {
  readonly snsDelivery: boolean;
  /** A scope's security profiles or custom metrics changed: the evaluation reads them again. */
  profilesChanged(scope: Scope): void;
  /** ML Detect's training options in force (src/detect/ml.ts MlOptions with the defaults filled in). */
  readonly ml?: { readonly trainingDays: number; readonly minDatapoints: number; readonly retryDays: number };
}
