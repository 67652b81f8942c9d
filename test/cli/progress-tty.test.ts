// The progress view of `warden iot wait` on a real terminal: tmux gives the command a
// pseudo-terminal; the final screen must show the redrawn view once (cursor moved up and lines
// cleared, not appended), every check's bar full with its counts, and the exit code 0.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { StartAuditMitigationActionsTaskCommand } from '@aws-sdk/client-iot';
import { iot, reset, ROOT, startServer, type Running } from '../harness.js';
import { action, certFinding, injectFindings, loggingFinding } from '../operations/mitigation-helpers.js';
import { clientEnv } from '../wire/env.js';

const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const session = `warden-wait-${process.pid}`;
const shellQuote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * `env` arguments giving a command clientEnv() plus `extra`: the variables it leaves out unset
 * (`-u`, which env takes before the assignments), the others assigned.
 */
function envArgs(extra: Record<string, string>): string {
  const entries = Object.entries({ ...clientEnv(), ...extra }) as [string, string | undefined][];
  const unset = entries.filter(([, v]) => v === undefined).map(([k]) => `-u ${k}`);
  const set = entries.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${shellQuote(v!)}`);
  return ['env', ...unset, ...set].join(' ');
}

describe('warden iot wait in a pseudo-terminal', () => {
  let server: Running;
  before(async () => {
    server = await startServer({ backend: 'sqlite' });
    await reset(server.url);
  });
  after(async () => {
    try {
      tmux('kill-session', '-t', session);
    } catch {
      /* already gone */
    }
    await server?.cleanup();
  });

  test('shows live bars per check, redrawn in place, and ends with exit code 0', async () => {
    const client = iot(server.url);
    await action(client, 'notify', { publishFindingToSnsParams: { topicArn: 'arn:aws:sns:us-east-1:000000000000:ops' } });
    const certs = Array.from({ length: 400 }, (_, i) => certFinding(i.toString(16).padStart(64, '0')));
    const audit = await injectFindings(server.url, { findings: [...certs, loggingFinding()] });
    await client.send(
      new StartAuditMitigationActionsTaskCommand({
        taskId: 'tty-task',
        target: { auditTaskId: audit.taskId },
        auditCheckToActionsMapping: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['notify'], LOGGING_DISABLED_CHECK: ['notify'] },
      }),
    );
    client.destroy();
    const cmd = [
      `cd ${ROOT} &&`,
      envArgs({ WARDEN_WAIT_INTERVAL_MS: '20' }),
      `${process.execPath} bin/warden.js iot --endpoint-url ${server.url} --region us-east-1 wait audit-mitigation-task tty-task;`,
      'echo "EXIT=$?"; sleep 60',
    ].join(' ');
    tmux('new-session', '-d', '-s', session, '-x', '200', '-y', '40', cmd);
    let screen = '';
    for (let i = 0; i < 300 && !/EXIT=\d+/.test(screen); i++) {
      await new Promise((r) => setTimeout(r, 100));
      screen = tmux('capture-pane', '-p', '-t', session);
    }
    assert.match(screen, /EXIT=0/, screen);
    const lines = screen.split('\n').filter((l) => l.trim());
    assert.equal(lines.filter((l) => l.startsWith('task ')).length, 1, `the view is redrawn in place:\n${screen}`);
    assert.ok(lines.includes('task COMPLETED'), screen);
    const full = `[${'#'.repeat(30)}]`;
    const expiring = lines.find((l) => l.startsWith('DEVICE_CERTIFICATE_EXPIRING_CHECK'));
    assert.ok(expiring?.includes(`${full} 400/400 succeeded 400 failed 0 skipped 0 canceled 0`), screen);
    const logging = lines.find((l) => l.startsWith('LOGGING_DISABLED_CHECK'));
    assert.ok(logging?.includes(`${full} 1/1 succeeded 1 failed 0`), screen);
    assert.match(screen, /401\/401 done, [\d.]+\/s, ETA 0s/);
    assert.doesNotMatch(screen, /\x1b|\[2K/, 'no escape sequences left on the screen');
  });
});
