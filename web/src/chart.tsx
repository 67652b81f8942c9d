import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  values: (number | null)[];
  color: string;
  /** A dashed line (a threshold). */
  dash?: boolean;
}

function span(times: number[]): [number, number] {
  if (times.length === 0) {
    const now = Date.now() / 1000;
    return [now - 86_400, now];
  }
  const lo = Math.min(...times);
  const hi = Math.max(...times);
  const pad = hi - lo < 60 ? 3600 : (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

/** A time chart (uPlot): `times` in seconds since the epoch, one or more series over them. */
export function TimeChart({ title, times, series, height = 220 }: { title: string; times: number[]; series: Series[]; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = Math.max(320, Math.min(el.clientWidth || 720, 1100));
    const plot = new uPlot(
      {
        title,
        width,
        height,
        // The data's own span with a margin; one point (or several at one time) gets an hour either
        // side (uPlot's own guess for one time point spans years).
        scales: { x: { time: true, range: () => span(times) } },
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, dash: s.dash ? [6, 4] : undefined, points: { show: true } }))],
        axes: [{}, { label: 'count' }],
      },
      [times, ...series.map((s) => s.values)] as uPlot.AlignedData,
      el,
    );
    return () => plot.destroy();
  }, [title, times, series, height]);
  return <figure class="chart" ref={box} aria-label={title} role="img" />;
}
