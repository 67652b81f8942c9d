// Makes sure of everything the test suite needs before `npm test` runs a test.
// As root with apt-get (and WARDEN_NO_INSTALL unset) it installs the Debian packages that are missing and
// starts PostgreSQL; otherwise it stops at once with one line per missing piece and the command that
// installs it. The image's Python clients (PATH's python3 with boto3, aws, moto_server) are only checked:
// PyPI is not something this script reaches.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const started = Date.now();
const say = (line) => console.log(`prereqs: ${line}`);
const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { encoding: 'utf8', ...opts });
const ok = (cmd, args) => {
  const r = run(cmd, args);
  return !r.error && r.status === 0;
};
const onPath = (name) => ok('sh', ['-c', `command -v ${name}`]);
const canInstall =
  process.getuid?.() === 0 && onPath('apt-get') && !['1', 'true'].includes(process.env.WARDEN_NO_INSTALL ?? '');

/** What the suite needs from the machine: a check, the Debian package that provides it, or a manual hint. */
const pieces = [
  { what: "Debian's AWS CLI v2 at /usr/bin/aws", check: () => existsSync('/usr/bin/aws'), apt: 'awscli' },
  {
    what: "Debian's boto3 for /usr/bin/python3",
    check: () => ok('/usr/bin/python3', ['-c', 'import boto3']),
    apt: 'python3-boto3',
  },
  { what: 'tmux (the progress view test)', check: () => onPath('tmux'), apt: 'tmux' },
  { what: "mosquitto_pub and mosquitto_sub (the MQTT broker's tests)", check: () => onPath('mosquitto_pub') && onPath('mosquitto_sub'), apt: 'mosquitto-clients' },
  { what: 'openssl (CSRs made by openssl)', check: () => onPath('openssl'), apt: 'openssl' },
  { what: "Debian's Chromium at /usr/bin/chromium (the console's browser tests, through playwright-core)", check: () => existsSync('/usr/bin/chromium'), apt: 'chromium' },
  {
    what: 'make and g++ (better-sqlite3 builds from source)',
    check: () => onPath('make') && onPath('g++'),
    apt: 'build-essential',
  },
  {
    what: "python3 on PATH with boto3 (the image's pyenv Python)",
    check: () => ok('python3', ['-c', 'import boto3']),
    hint: 'python3 -m pip install boto3',
  },
  { what: "aws on PATH (the image's AWS CLI v1)", check: () => onPath('aws'), hint: 'python3 -m pip install awscli' },
  {
    what: 'moto_server on PATH (the SNS tests publish to it)',
    check: () => onPath('moto_server'),
    hint: "python3 -m pip install 'moto[server]'",
  },
];

let missing = pieces.filter((p) => !p.check());
const aptWanted = missing.filter((p) => p.apt);
if (canInstall && aptWanted.length > 0) {
  const pkgs = aptWanted.map((p) => p.apt);
  say(`installing ${pkgs.join(' ')} with apt-get`);
  aptInstall(pkgs);
  missing = missing.filter((p) => !p.check());
}

const pg = await postgres();
const problems = [
  ...missing.map((p) => `${p.what} is missing: ${p.apt ? `sudo apt-get install -y ${p.apt}` : p.hint}`),
  ...pg,
];
if (!(await betterSqlite())) {
  problems.push('better-sqlite3 does not load: npm install (it compiles with make, g++ and python3)');
}
if (problems.length > 0) {
  console.error('npm test cannot run; missing:');
  for (const p of problems) console.error(`- ${p}`);
  process.exit(1);
}
say(`all present (${((Date.now() - started) / 1000).toFixed(1)} s)`);

function aptInstall(pkgs) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptInstall.updated) {
    run('apt-get', ['update', '-qq'], { env, stdio: 'inherit' });
    aptInstall.updated = true;
  }
  const r = run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) say(`apt-get install ${pkgs.join(' ')} failed (exit ${r.status})`);
}

async function betterSqlite() {
  try {
    const { default: Database } = await import('better-sqlite3');
    new Database(':memory:').close();
    return true;
  } catch {
    return false;
  }
}

/** PostgreSQL answering at the test URL with its database; returns the problems left. */
async function postgres() {
  const { default: pgLib } = await import('pg');
  const testUrl = new URL(process.env.WARDEN_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test');
  const database = decodeURIComponent(testUrl.pathname.slice(1)) || 'test';
  const adminUrl = new URL(testUrl);
  adminUrl.pathname = '/postgres';
  adminUrl.search = '';
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(testUrl.hostname);
  const hint = `PostgreSQL on ${testUrl.host} with a database ${database}`;

  let error = await connect(pgLib, adminUrl);
  if (error && local && canInstall) {
    if (error.code === 'ECONNREFUSED') {
      if (!onPath('pg_ctlcluster')) {
        say('installing postgresql with apt-get');
        aptInstall(['postgresql']);
      }
      startCluster();
      error = await waitFor(pgLib, adminUrl);
    }
    if (error && isAuthFailure(error)) {
      // A fresh Debian cluster asks for a password over TCP: give postgres one and keep it in ~/.pgpass.
      say('giving the postgres role the password postgres and writing it to ~/.pgpass');
      run('su', ['postgres', '-c', `psql -q -c "ALTER USER postgres PASSWORD 'postgres'"`]);
      addPgpass(`${testUrl.hostname}:${testUrl.port || 5432}:*:${testUrl.username || 'postgres'}:postgres`);
      error = await connect(pgLib, adminUrl);
    }
  }
  if (error) {
    const fix = error.code === 'ECONNREFUSED'
      ? local
        ? `sudo apt-get install -y postgresql && sudo pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`
        : 'start that server'
      : `check WARDEN_TEST_PG (${error.message})`;
    return [`${hint}: ${fix}`];
  }
  const client = new pgLib.Client({ connectionString: adminUrl.toString() });
  await client.connect();
  try {
    const has = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (has.rowCount === 0) {
      say(`creating database ${database}`);
      await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
    }
  } catch (e) {
    return [`${hint}: CREATE DATABASE ${database} (${e.message})`];
  } finally {
    await client.end();
  }
  return [];
}

async function connect(pgLib, url) {
  const client = new pgLib.Client({ connectionString: url.toString(), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return undefined;
  } catch (e) {
    return e;
  }
}

async function waitFor(pgLib, url) {
  let error;
  for (let i = 0; i < 30; i++) {
    error = await connect(pgLib, url);
    if (!error || error.code !== 'ECONNREFUSED') return error;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return error;
}

function isAuthFailure(e) {
  return e.code === '28P01' || e.code === '28000' || /password/i.test(e.message);
}

function startCluster() {
  const versions = run('ls', ['/etc/postgresql']).stdout.split(/\s+/).filter(Boolean).sort((a, b) => a - b);
  const version = versions.at(-1);
  if (!version) return;
  say(`starting PostgreSQL ${version}`);
  run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' });
}

function addPgpass(line) {
  const file = join(homedir(), '.pgpass');
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (!old.split('\n').includes(line)) writeFileSync(file, `${old}${old && !old.endsWith('\n') ? '\n' : ''}${line}\n`, { mode: 0o600 });
}
