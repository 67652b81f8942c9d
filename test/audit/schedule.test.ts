// The schedule maths of scheduled audits (src/audit/schedule.ts): first and next runs in UTC across
// month ends, leap years and year ends, and the one catch-up run after a long gap.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { daysInMonth, firstRunAfter, nextRunAfter, timeOfDay, type Schedule } from '../../src/audit/schedule.js';

const at = (iso: string): Date => new Date(iso);
const iso = (d: Date): string => d.toISOString();
const H = 3600_000;

describe('schedule: daysInMonth and timeOfDay', () => {
  test('February has 29 days in leap years only (2024, 2000), not in 2023 or 2100', () => {
    assert.equal(daysInMonth(2024, 1), 29);
    assert.equal(daysInMonth(2000, 1), 29);
    assert.equal(daysInMonth(2023, 1), 28);
    assert.equal(daysInMonth(2100, 1), 28);
    assert.equal(daysInMonth(2024, 3), 30);
    assert.equal(daysInMonth(2024, 11), 31);
  });

  test('timeOfDay is the UTC time after midnight', () => {
    assert.equal(timeOfDay(at('2024-03-10T14:05:30.250Z')), 14 * H + 5 * 60_000 + 30_250);
    assert.equal(timeOfDay(at('2024-03-10T00:00:00.000Z')), 0);
  });
});

describe('schedule: DAILY', () => {
  const s: Schedule = { frequency: 'DAILY', timeOfDay: 14 * H + 5 * 60_000 };
  test('later the same day when the time is still ahead, else the next day', () => {
    assert.equal(iso(firstRunAfter(s, at('2024-05-10T09:00:00Z'))), '2024-05-10T14:05:00.000Z');
    assert.equal(iso(firstRunAfter(s, at('2024-05-10T14:05:00Z'))), '2024-05-11T14:05:00.000Z');
  });
  test('across a month end, a leap day and a year end', () => {
    assert.equal(iso(firstRunAfter(s, at('2024-01-31T15:00:00Z'))), '2024-02-01T14:05:00.000Z');
    assert.equal(iso(firstRunAfter(s, at('2024-02-28T20:00:00Z'))), '2024-02-29T14:05:00.000Z');
    assert.equal(iso(firstRunAfter(s, at('2024-12-31T23:59:59Z'))), '2025-01-01T14:05:00.000Z');
  });
  test('one catch-up run after ten days down: the next run is the first one after now', () => {
    assert.equal(iso(nextRunAfter(s, at('2024-05-01T14:05:00Z'), at('2024-05-11T16:00:00Z'))), '2024-05-12T14:05:00.000Z');
  });
});

describe('schedule: WEEKLY', () => {
  const thu: Schedule = { frequency: 'WEEKLY', dayOfWeek: 'THU', timeOfDay: 10 * H };
  test('the coming weekday; the same weekday at the same time means a week later', () => {
    // 2024-02-29 is a Thursday.
    assert.equal(iso(firstRunAfter(thu, at('2024-02-29T10:00:00Z'))), '2024-03-07T10:00:00.000Z');
    assert.equal(iso(firstRunAfter(thu, at('2024-02-29T09:59:59Z'))), '2024-02-29T10:00:00.000Z');
    assert.equal(iso(firstRunAfter({ ...thu, dayOfWeek: 'FRI' }, at('2024-02-29T10:00:00Z'))), '2024-03-01T10:00:00.000Z');
  });
  test('across a year end: Monday 2024-12-30 to Sunday 2025-01-05', () => {
    assert.equal(iso(firstRunAfter({ ...thu, dayOfWeek: 'SUN' }, at('2024-12-30T12:00:00Z'))), '2025-01-05T10:00:00.000Z');
  });
  test('catch-up after three weeks: one run, then the next Thursday after now', () => {
    assert.equal(iso(nextRunAfter(thu, at('2024-03-07T10:00:00Z'), at('2024-03-29T08:00:00Z'))), '2024-04-04T10:00:00.000Z');
  });
});

describe('schedule: BIWEEKLY', () => {
  const mon: Schedule = { frequency: 'BIWEEKLY', dayOfWeek: 'MON', timeOfDay: 6 * H };
  test('the first run is the coming weekday, then every 14 days from it', () => {
    const first = firstRunAfter(mon, at('2024-02-21T00:00:00Z'));
    assert.equal(iso(first), '2024-02-26T06:00:00.000Z');
    assert.equal(iso(nextRunAfter(mon, first, first)), '2024-03-11T06:00:00.000Z');
    assert.equal(iso(nextRunAfter(mon, first, new Date(first.getTime() + 60_000))), '2024-03-11T06:00:00.000Z');
  });
  test('a catch-up keeps the two-week rhythm: 40 days late runs once, next at day 42', () => {
    const prev = at('2024-12-23T06:00:00Z');
    assert.equal(iso(nextRunAfter(mon, prev, new Date(prev.getTime() + 40 * 24 * H))), '2025-02-03T06:00:00.000Z');
    // Exactly on a period boundary: that one is the run now, so the next is two weeks on.
    assert.equal(iso(nextRunAfter(mon, prev, new Date(prev.getTime() + 28 * 24 * H))), '2025-02-03T06:00:00.000Z');
  });
});

describe('schedule: MONTHLY', () => {
  const s = (dayOfMonth: string): Schedule => ({ frequency: 'MONTHLY', dayOfMonth, timeOfDay: 9 * H });
  test('day 31 runs on the last day of shorter months: Feb 29 in a leap year, Apr 30, Feb 28 otherwise', () => {
    assert.equal(iso(firstRunAfter(s('31'), at('2024-01-31T09:00:00Z'))), '2024-02-29T09:00:00.000Z');
    assert.equal(iso(firstRunAfter(s('31'), at('2024-02-29T09:00:00Z'))), '2024-03-31T09:00:00.000Z');
    assert.equal(iso(firstRunAfter(s('31'), at('2024-03-31T09:00:00Z'))), '2024-04-30T09:00:00.000Z');
    assert.equal(iso(firstRunAfter(s('31'), at('2023-02-01T00:00:00Z'))), '2023-02-28T09:00:00.000Z');
  });
  test('day 29 and 30 in February; a day the month has runs on it', () => {
    assert.equal(iso(firstRunAfter(s('30'), at('2024-02-01T00:00:00Z'))), '2024-02-29T09:00:00.000Z');
    assert.equal(iso(firstRunAfter(s('29'), at('2023-02-10T00:00:00Z'))), '2023-02-28T09:00:00.000Z');
    assert.equal(iso(firstRunAfter(s('29'), at('2023-02-28T09:00:00Z'))), '2023-03-29T09:00:00.000Z');
    assert.equal(iso(firstRunAfter(s('15'), at('2024-06-15T08:59:59Z'))), '2024-06-15T09:00:00.000Z');
  });
  test('LAST is always the last day, across a year end', () => {
    assert.equal(iso(firstRunAfter(s('LAST'), at('2023-02-05T00:00:00Z'))), '2023-02-28T09:00:00.000Z');
    assert.equal(iso(firstRunAfter(s('LAST'), at('2024-02-05T00:00:00Z'))), '2024-02-29T09:00:00.000Z');
    assert.equal(iso(firstRunAfter(s('LAST'), at('2024-12-31T09:00:00Z'))), '2025-01-31T09:00:00.000Z');
  });
  test('day 1 after mid-December is January 1 of the next year', () => {
    assert.equal(iso(firstRunAfter(s('1'), at('2024-12-15T00:00:00Z'))), '2025-01-01T09:00:00.000Z');
  });
  test('catch-up after months down: one run, next on the first scheduled day after now', () => {
    assert.equal(iso(nextRunAfter(s('31'), at('2024-01-31T09:00:00Z'), at('2024-05-10T00:00:00Z'))), '2024-05-31T09:00:00.000Z');
  });
});
