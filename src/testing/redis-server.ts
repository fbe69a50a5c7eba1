import { spawn, type ChildProcess } from 'node:child_process';
import {
  accessSync,
  constants,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createTestCertificates, type TestCertificates } from './tls-certificates.js';

export interface RedisServerOptions {
  /** Port to listen on. @default a free port */
  port?: number;
  /** Extra `redis-server` arguments, e.g. `['--requirepass', 'secret']`. */
  args?: string[];
  /** @default the `redis-server` found on PATH */
  binary?: string;
  /** Milliseconds to wait for "Ready to accept connections". @default 10000 */
  startTimeoutMs?: number;
  /** `requirepass`: the default user's password. */
  password?: string;
  /** ACL users with full access, name → password. */
  aclUsers?: Record<string, string>;
  /** Serve TLS only (plain port off), with a throwaway CA made by `openssl`; clients may present a certificate. */
  tls?: boolean;
}

/** A private redis-server process started for tests. */
export interface RedisServer {
  readonly host: string;
  readonly port: number;
  /** `redis://127.0.0.1:<port>`, or `rediss://` in TLS mode. */
  readonly url: string;
  /** The certificates of TLS mode. */
  readonly certificates: TestCertificates | undefined;
  /** PID of the running process, `undefined` while stopped. */
  readonly pid: number | undefined;
  /** Graceful stop (SIGTERM), waiting for the process to exit; `restart()` starts it again. */
  stop(): Promise<void>;
  /** Abrupt death (SIGKILL), as in a crash. */
  kill(): Promise<void>;
  /** Starts the server again on the same port (stopping it first if it runs). */
  restart(): Promise<void>;
  /** Freezes the process (SIGSTOP): it keeps its sockets but answers nothing. */
  pause(): void;
  /** Unfreezes a paused process (SIGCONT). */
  resume(): void;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Finds `redis-server` on PATH. */
export function findRedisServerBinary(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * A port nobody listens on, chosen below the kernel's ephemeral range. A server port inside that range
 * can, once the server is killed, be handed to a reconnecting client as its own source port: the client
 * then connects to itself (TCP self-connect) and believes the dead server answers.
 */
export async function getFreePort(): Promise<number> {
  const ephemeralStart = readEphemeralStart();
  const low = 10_000;
  const high = Math.max(low + 1000, ephemeralStart);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port found between ${low} and ${high}`);
}

function readEphemeralStart(): number {
  try {
    const [start] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const port = Number(start);
    return Number.isInteger(port) && port > 11_000 ? port : 32_768;
  } catch {
    return 32_768; // not Linux: the IANA-style default lower bound is 49152, Linux's is 32768
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Starts a private `redis-server` (no persistence) on a free port and returns a handle that can stop,
 * kill, pause and restart it. Every server started here is killed when the process exits.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = options.binary ?? findRedisServerBinary();
  if (!binary)
    throw new Error('redis-server was not found on PATH; install it (apt-get install redis-server)');
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), 'tiercache-redis-'));
  const host = '127.0.0.1';
  let port = options.port ?? (await getFreePort());
  let child: ChildProcess | undefined;
  const certificates = options.tls ? createTestCertificates() : undefined;
  // stop() removes the files (the CA's private key among them); a restart writes the same ones back, so
  // clients that trust this CA keep connecting.
  const certificateFiles = certificates && snapshotFiles(certificates.dir);
  const launch = async (): Promise<void> => {
    mkdirSync(dir, { recursive: true });
    if (certificates && certificateFiles) restoreFiles(certificates.dir, certificateFiles);
    const ports = certificates
      ? [
          '--port',
          '0',
          '--tls-port',
          String(port),
          '--tls-cert-file',
          certificates.serverCertPath,
          '--tls-key-file',
          certificates.serverKeyPath,
        ]
      : ['--port', String(port)];
    const tlsArgs = certificates
      ? ['--tls-ca-cert-file', certificates.caPath, '--tls-auth-clients', 'optional']
      : [];
    const auth = options.password === undefined ? [] : ['--requirepass', options.password];
    const users = Object.entries(options.aclUsers ?? {}).flatMap(([name, pw]) => [
      '--user',
      name,
      'on',
      `>${pw}`,
      '~*',
      '&*',
      '+@all',
    ]);
    const args = [
      ...ports,
      ...tlsArgs,
      ...auth,
      ...users,
      '--bind',
      host,
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ];
    args.push('--daemonize', 'no', '--loglevel', 'notice', ...(options.args ?? []));
    child = await spawnUntilReady(binary, args, options.startTimeoutMs ?? 10_000);
  };
  for (let attempt = 0; ; attempt++) {
    try {
      await launch();
      break;
    } catch (error) {
      // Another process may have taken the free port between the probe and the start: try another.
      if (options.port !== undefined || attempt >= 3) throw error;
      port = await getFreePort();
    }
  }
  const signal = async (name: NodeJS.Signals): Promise<void> => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(name);
    if (name === 'SIGTERM') proc.kill('SIGCONT'); // a paused server cannot handle SIGTERM until resumed
    await exited;
    child = undefined;
  };
  return {
    host,
    port,
    url: `${certificates ? 'rediss' : 'redis'}://${host}:${port}`,
    certificates,
    get pid() {
      return child?.pid;
    },
    stop: () =>
      signal('SIGTERM').finally(() => {
        rmSync(dir, { recursive: true, force: true });
        if (certificates) rmSync(certificates.dir, { recursive: true, force: true });
      }),
    kill: () => signal('SIGKILL'),
    async restart() {
      await signal('SIGTERM');
      await launch();
    },
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
  };
}

/** Spawns a redis-server process and resolves once its log shows `readyMarker`. */
export function spawnUntilReady(
  binary: string,
  args: string[],
  timeoutMs: number,
  readyMarker = 'Ready to accept connections',
): Promise<ChildProcess> {
  installExitHook();
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    child.once('exit', () => running.delete(child));
    let output = '';
    const fail = (reason: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start: ${reason}\n${output.slice(-2000)}`));
    };
    const timer = setTimeout(() => fail(`not ready after ${timeoutMs} ms`), timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes(readyMarker)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code) => fail(`exited with code ${code}`));
  });
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

/** The files of a directory, by name (certificates: a few KB). */
function snapshotFiles(dir: string): Map<string, Buffer> {
  return new Map(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name))]));
}

/** Writes `files` back into `dir` when it is gone. */
function restoreFiles(dir: string, files: Map<string, Buffer>): void {
  try {
    accessSync(dir);
    return;
  } catch {
    mkdirSync(dir, { recursive: true });
  }
  for (const [name, content] of files) writeFileSync(join(dir, name), content, { mode: 0o600 });
}
