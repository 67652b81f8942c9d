import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The baseline for `npm run bench:api`: a bare node:http server that answers every request with
 * one fixed JSON body (by default shaped like a DescribeMitigationAction response, ~300 bytes;
 * BARE_BODY overrides it). Prints `listening on http://127.0.0.1:PORT` when ready, exits on SIGTERM.
 */
const DEFAULT_BODY = JSON.stringify({
  actionName: 'bench',
  actionType: 'UPDATE_DEVICE_CERTIFICATE',
  actionArn: 'arn:aws:iot:us-east-1:000000000000:mitigationaction/bench',
  actionId: '5f0c6a4e-9a0b-4f51-8d8e-3c1f2a7b9d10',
  roleArn: 'arn:aws:iam::000000000000:role/bench',
  actionParams: { updateDeviceCertificateParams: { action: 'DEACTIVATE' } },
  creationDate: 1700000000,
  lastModifiedDate: 1700000000,
});

const body = Buffer.from(process.env.BARE_BODY || DEFAULT_BODY);
const port = Number(process.argv[2] ?? 0);

const server = http.createServer({ keepAliveTimeout: 5000 }, (req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});

server.listen(port, '127.0.0.1', () => {
  const { port: actual } = server.address() as AddressInfo;
  process.stdout.write(`bare server listening on http://127.0.0.1:${actual} (${body.length}-byte body)\n`);
});

process.once('SIGTERM', () => server.close(() => process.exit(0)));
process.once('SIGINT', () => server.close(() => process.exit(0)));
