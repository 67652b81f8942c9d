import { procMemory, round } from './procs.js';

/** Samples the RSS of some processes every `ms` until stopped; keeps the largest seen and a coarse series. */
export function sampleMemory(pids: number[], ms = 250): { stop(): { maxRssMB: number[]; series: [number, ...number[]][] } } {
  const t0 = performance.now();
  const max = pids.map(() => 0);
  const series: [number, ...number[]][] = [];
  let n = 0;
  const timer = setInterval(() => {
    const rss = pids.map((pid, k) => {
      const m = procMemory(pid)?.rssMB ?? 0;
      max[k] = Math.max(max[k], m);
      return m;
    });
    if (n++ % Math.max(1, Math.round(5000 / ms)) === 0) series.push([round((performance.now() - t0) / 1000, 1), ...rss]);
  }, ms);
  return {
    stop: () => {
      clearInterval(timer);
      return { maxRssMB: max, series };
    },
  };
}
