import type { AuditFrequency, DayOfWeek } from '../generated/shapes.js';
import { DAY_MS } from './check.js';

/**
 * When scheduled audits run. All in UTC. AWS says only that "the start time of each audit is
 * determined by the system"; Warden runs a scheduled audit at the time of day it was created at
 * (so one created at 14:05:00 UTC runs at 14:05:00 UTC on its days), on:
 * - DAILY: every day;
 * - WEEKLY: every `dayOfWeek`;
 * - BIWEEKLY: every other `dayOfWeek`, counted from its first run;
 * - MONTHLY: day `dayOfMonth` of each month; a day the month lacks (29–31) means the month's last
 *   day, as AWS documents; LAST is always the last day.
 */
export interface Schedule {
  frequency: AuditFrequency;
  dayOfWeek?: DayOfWeek;
  dayOfMonth?: string;
  /** Milliseconds after UTC midnight. */
  timeOfDay: number;
}

export const WEEKDAYS: readonly DayOfWeek[] = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const BIWEEK_MS = 14 * DAY_MS;

/** Milliseconds after UTC midnight of `d`. */
export const timeOfDay = (d: Date | number): number => {
  const t = typeof d === 'number' ? d : d.getTime();
  return ((t % DAY_MS) + DAY_MS) % DAY_MS;
};

const midnight = (t: number): number => t - timeOfDay(t);

/** Days in a month (month 0–11), leap years included. */
export const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month + 1, 0)).getUTCDate();

function monthlyRun(s: Schedule, year: number, month: number): number {
  const last = daysInMonth(year, month);
  const day = s.dayOfMonth === 'LAST' ? last : Math.min(Number(s.dayOfMonth), last);
  return Date.UTC(year, month, day) + s.timeOfDay;
}

/** The first run strictly after `after`. */
export function firstRunAfter(s: Schedule, after: Date): Date {
  const t = after.getTime();
  switch (s.frequency) {
    case 'DAILY': {
      const c = midnight(t) + s.timeOfDay;
      return new Date(c > t ? c : c + DAY_MS);
    }
    case 'WEEKLY':
    case 'BIWEEKLY': {
      const today = midnight(t);
      const ahead = (WEEKDAYS.indexOf(s.dayOfWeek ?? 'SUN') - new Date(today).getUTCDay() + 7) % 7;
      const c = today + ahead * DAY_MS + s.timeOfDay;
      return new Date(c > t ? c : c + 7 * DAY_MS);
    }
    case 'MONTHLY': {
      const d = new Date(t);
      let year = d.getUTCFullYear();
      let month = d.getUTCMonth();
      // This month's run, else next month's (which is always after `after`).
      for (;;) {
        const c = monthlyRun(s, year, month);
        if (c > t) return new Date(c);
        month += 1;
        if (month === 12) {
          month = 0;
          year += 1;
        }
      }
    }
  }
}

/**
 * The run after one that was due at `previous`, once it has started at `now` (>= previous): the
 * first run strictly after `now`. A server that was down for several periods therefore runs one
 * catch-up audit, not one per missed period. BIWEEKLY keeps its two-week rhythm from `previous`.
 */
export function nextRunAfter(s: Schedule, previous: Date, now: Date): Date {
  if (s.frequency !== 'BIWEEKLY') return firstRunAfter(s, now);
  const p = previous.getTime();
  const periods = Math.max(1, Math.floor((now.getTime() - p) / BIWEEK_MS) + 1);
  return new Date(p + periods * BIWEEK_MS);
}
