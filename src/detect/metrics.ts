import type { ComparisonOperator, CustomMetricType } from '../generated/shapes.js';

/**
 * The metrics a behavior can name, as AWS's Detect documentation lists them (device-side and
 * cloud-side metrics pages, ML Detect page). One table serves the profile validation, the report
 * parser and the evaluation, so a metric is described once.
 */

/** What a metric's datapoint holds. */
export type MetricKind = 'number' | 'ip-list' | 'port-list' | 'number-list' | 'string-list';

export interface MetricSpec {
  readonly name: string;
  /** Device-side (the agent's metrics report) or cloud-side (what the broker counts). */
  readonly side: 'device' | 'cloud' | 'custom';
  readonly kind: MetricKind;
  readonly operators: readonly ComparisonOperator[];
  /** The durations a behavior may aggregate over; absent when the metric takes no duration. */
  readonly durations?: readonly number[];
  /** A count per period that a behavior with a duration sums over the duration (bytes, packets, messages). */
  readonly delta: boolean;
  /** Numeric metrics allow statistical thresholds. */
  readonly statistical: boolean;
  /** Metrics ML Detect can model. */
  readonly ml: boolean;
  /**
   * Metrics a behavior may scope with a TOPIC_FILTER dimension (`metricDimension`): the ones counted
   * per MQTT message (sent, received, their size, the authorization failures of publishes and
   * subscribes). Never a custom metric (API_Behavior: "This can't be used with custom metrics").
   */
  readonly topicDimension: boolean;
}

export const NUMERIC_OPERATORS: readonly ComparisonOperator[] = ['less-than', 'less-than-equals', 'greater-than', 'greater-than-equals'];
export const CIDR_OPERATORS: readonly ComparisonOperator[] = ['in-cidr-set', 'not-in-cidr-set'];
export const PORT_OPERATORS: readonly ComparisonOperator[] = ['in-port-set', 'not-in-port-set'];
export const SET_OPERATORS: readonly ComparisonOperator[] = ['in-set', 'not-in-set'];

/** The durations AWS names for the metrics that take one. */
export const DURATIONS: readonly number[] = [300, 600, 900, 1800, 3600];

const numeric = (name: string, side: 'device' | 'cloud', o: { durations?: boolean; delta?: boolean; ml?: boolean; topic?: boolean }): MetricSpec => ({
  name,
  side,
  kind: 'number',
  operators: NUMERIC_OPERATORS,
  durations: o.durations ? DURATIONS : undefined,
  delta: o.delta ?? false,
  statistical: true,
  ml: o.ml ?? true,
  topicDimension: o.topic ?? false,
});

const list = (name: string, side: 'device' | 'cloud', kind: 'ip-list' | 'port-list'): MetricSpec => ({
  name,
  side,
  kind,
  operators: kind === 'ip-list' ? CIDR_OPERATORS : PORT_OPERATORS,
  delta: false,
  statistical: false,
  ml: false,
  topicDimension: false,
});

/**
 * The `aws:` metrics. The listening port counts take the durations too: the device-side metrics page
 * gives them "Duration: a non-negative integer. Valid values are 300, 600, 900, 1800, or 3600
 * seconds" (awsdocs/aws-iot-docs developerguide/detect-device-side-metrics.md, "Listening TCP port
 * count" and "Listening UDP port count"); they are counts the device reports, not deltas.
 */
export const AWS_METRICS: ReadonlyMap<string, MetricSpec> = new Map(
  [
    numeric('aws:all-bytes-out', 'device', { durations: true, delta: true }),
    numeric('aws:all-bytes-in', 'device', { durations: true, delta: true }),
    numeric('aws:all-packets-out', 'device', { durations: true, delta: true }),
    numeric('aws:all-packets-in', 'device', { durations: true, delta: true }),
    numeric('aws:num-listening-tcp-ports', 'device', { durations: true }),
    numeric('aws:num-listening-udp-ports', 'device', { durations: true }),
    numeric('aws:num-established-tcp-connections', 'device', {}),
    list('aws:destination-ip-addresses', 'device', 'ip-list'),
    list('aws:listening-tcp-ports', 'device', 'port-list'),
    list('aws:listening-udp-ports', 'device', 'port-list'),
    numeric('aws:message-byte-size', 'cloud', { topic: true }),
    numeric('aws:num-messages-sent', 'cloud', { durations: true, delta: true, topic: true }),
    numeric('aws:num-messages-received', 'cloud', { durations: true, delta: true, topic: true }),
    numeric('aws:num-authorization-failures', 'cloud', { durations: true, delta: true, topic: true }),
    numeric('aws:num-connection-attempts', 'cloud', { durations: true, delta: true }),
    numeric('aws:num-disconnects', 'cloud', { durations: true, delta: true }),
    list('aws:source-ip-address', 'cloud', 'ip-list'),
  ].map((m) => [m.name, m]),
);

/** A custom metric's spec from its type (CreateCustomMetric's metricType). */
export function customMetricSpec(name: string, type: CustomMetricType): MetricSpec {
  switch (type) {
    case 'number':
      return { name, side: 'custom', kind: 'number', operators: NUMERIC_OPERATORS, delta: false, statistical: true, ml: true, topicDimension: false };
    case 'number-list':
      return { name, side: 'custom', kind: 'number-list', operators: SET_OPERATORS, delta: false, statistical: false, ml: false, topicDimension: false };
    case 'string-list':
      return { name, side: 'custom', kind: 'string-list', operators: SET_OPERATORS, delta: false, statistical: false, ml: false, topicDimension: false };
    case 'ip-address-list':
      return { name, side: 'custom', kind: 'ip-list', operators: CIDR_OPERATORS, delta: false, statistical: false, ml: false, topicDimension: false };
  }
}
