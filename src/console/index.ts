import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { projectRoot } from '../base/paths.js';
import type { LocalEndpoints, LocalRequest, LocalResponse } from '../api/server.js';

/** Where the console is served, and where `npm run build` (Vite, web/vite.config.ts) writes it. */
export const CONSOLE_PATH = '/console';
export const defaultConsoleDir = (): string => join(projectRoot(), 'dist', 'console');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/**
 * What every console response carries: the page runs only its own scripts, talks only to its own
 * origin (the AWS API and /_warden/ are on it), and is never framed by another site.
 */
const SECURITY: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

const error = (status: number, type: string, message: string, extra: Record<string, string> = {}): LocalResponse => ({
  status,
  headers: { 'content-type': 'application/json', 'x-amzn-errortype': type, ...SECURITY, ...extra },
  body: JSON.stringify({ message }),
});

/**
 * The console's static files, built by Vite into `dir`: hashed assets (assets/) cached for a year,
 * index.html never cached and answered for every client route (any other path that is not a file),
 * nothing outside `dir` ever read.
 */
export function consoleEndpoints(dir: string = defaultConsoleDir()): LocalEndpoints {
  const root = resolve(dir);
  return {
    owns: (url) => url === CONSOLE_PATH || url.startsWith(`${CONSOLE_PATH}/`) || url.startsWith(`${CONSOLE_PATH}?`),
    label: () => 'console',
    handle: (req) => serve(req, root),
  };
}

async function serve(req: LocalRequest, root: string): Promise<LocalResponse> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return error(405, 'MethodNotAllowedException', `The console answers GET and HEAD, not ${req.method}.`, { allow: 'GET, HEAD' });
  }
  const q = req.url.indexOf('?');
  const rawPath = q < 0 ? req.url : req.url.slice(0, q);
  if (rawPath === CONSOLE_PATH) {
    return { status: 308, headers: { location: `${CONSOLE_PATH}/${q < 0 ? '' : req.url.slice(q)}`, ...SECURITY }, body: '' };
  }
  let rel: string;
  try {
    rel = decodeURIComponent(rawPath.slice(CONSOLE_PATH.length + 1));
  } catch {
    return error(400, 'InvalidRequestException', 'The console path is not valid percent-encoding.');
  }
  // Segments that climb, NUL bytes and backslashes are refused before any file is looked at.
  const segments = rel.split('/');
  if (rel.includes('\0') || rel.includes('\\') || segments.some((s) => s === '..' || s === '.')) {
    return error(403, 'AccessDeniedException', 'The console serves only the files of its build folder.');
  }
  const file = resolve(root, rel);
  if (file !== root && !file.startsWith(root + sep)) {
    return error(403, 'AccessDeniedException', 'The console serves only the files of its build folder.');
  }
  const hashed = rel.startsWith('assets/');
  const body = rel === '' ? undefined : await readFileIn(file);
  if (!body) {
    // A client route (a policy name may hold dots, so any path outside assets/): the page routes itself.
    if (!hashed) return index(root);
    return error(404, 'ResourceNotFoundException', `The console has no file ${rawPath}.`);
  }
  const ext = extname(rel);
  return {
    status: 200,
    headers: {
      'content-type': TYPES[ext.toLowerCase()] ?? 'application/octet-stream',
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...SECURITY,
    },
    body,
  };
}

async function index(root: string): Promise<LocalResponse> {
  const body = await readFileIn(join(root, 'index.html'));
  if (!body) {
    return error(503, 'ServiceUnavailableException', 'The console is not built: run `npm run build` (it runs Vite on web/) and reload.');
  }
  return { status: 200, headers: { 'content-type': TYPES['.html'], 'cache-control': 'no-cache', ...SECURITY }, body };
}

/** The bytes of a regular file, or undefined when there is none (a folder, a missing file). */
async function readFileIn(file: string): Promise<Buffer | undefined> {
  try {
    if (!(await stat(file)).isFile()) return undefined;
    return await readFile(file);
  } catch {
    return undefined;
  }
}
