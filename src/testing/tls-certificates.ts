import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM files of a throwaway CA, a server certificate for localhost/127.0.0.1 and a client certificate. */
export interface TestCertificates {
  dir: string;
  caPath: string;
  caKeyPath: string;
  serverCertPath: string;
  serverKeyPath: string;
  clientCertPath: string;
  clientKeyPath: string;
}

/** Makes a CA and certificates with `openssl` (valid one day) for TLS tests. */
export function createTestCertificates(label = 'tiercache-test'): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'tiercache-tls-'));
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    path('ca.key'),
    '-out',
    path('ca.crt'),
    '-days',
    '1',
    '-subj',
    `/CN=${label}-ca`,
  );
  writeFileSync(path('server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  for (const [name, ext] of [
    ['server', ['-extfile', path('server.ext')]],
    ['client', []],
  ] as const) {
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      path(`${name}.key`),
      '-out',
      path(`${name}.csr`),
      '-subj',
      `/CN=${name === 'server' ? 'localhost' : `${label}-client`}`,
    );
    openssl(
      'x509',
      '-req',
      '-in',
      path(`${name}.csr`),
      '-CA',
      path('ca.crt'),
      '-CAkey',
      path('ca.key'),
      '-CAcreateserial',
      '-out',
      path(`${name}.crt`),
      '-days',
      '1',
      ...ext,
    );
  }
  return {
    dir,
    caPath: path('ca.crt'),
    caKeyPath: path('ca.key'),
    serverCertPath: path('server.crt'),
    serverKeyPath: path('server.key'),
    clientCertPath: path('client.crt'),
    clientKeyPath: path('client.key'),
  };
}
