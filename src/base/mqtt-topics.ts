/**
 * MQTT topic names and filters (MQTT 3.1.1 section 4.7), shared by Detect's TOPIC_FILTER dimensions
 * and, next, the broker.
 */

/** Whether `filter` is a topic filter: `+` and `#` stand for whole levels, `#` only as the last one. */
export function isTopicFilter(filter: string): boolean {
  if (filter.length === 0) return false;
  const levels = filter.split('/');
  return !levels.some((l, i) => (l.includes('+') && l !== '+') || (l.includes('#') && (l !== '#' || i !== levels.length - 1)));
}

/**
 * Whether the topic name `topic` matches `filter`. `+` matches one level, `#` the level it stands
 * on and every level below it (`a/#` matches `a`, `a/b`, `a/b/c`); a filter that starts with a
 * wildcard does not match a topic that starts with `$` (MQTT 4.7.2).
 */
export function topicMatches(filter: string, topic: string): boolean {
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
