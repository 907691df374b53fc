// The chaos run's real processes: the whole stack (chaos/host.ts), the emulator bin on its own,
// and the connector's worker processes inside either. Kills are SIGKILL to a pid, nothing else.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { childPids, sigkill } from '@c2c-kit/testing/processes';

export { childPids, sigkill };

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HOST_SCRIPT = fileURLToPath(new URL('./host.ts', import.meta.url));
const EMULATOR_BIN = fileURLToPath(
  new URL('../packages/emulator/bin/c2c-emulator.js', import.meta.url),
);

/** What the driver needs from a host (chaos/host.ts prints it; kept across emulator-only hosts). */
export interface HostInfo {
  emulatorUrl: string;
  functionUrl: string;
  connectorId: string;
  outboxQueueUrl: string;
  deadLetterQueueUrl: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  userId: string;
  webhookSecret: string;
}

export interface Host {
  readonly form: 'stack' | 'emulator';
  readonly child: ChildProcess;
  readonly pid: number;
  readonly info: HostInfo | undefined;
  /** Resolves when the process has exited (by itself, SIGTERM or SIGKILL). */
  readonly exited: Promise<void>;
}

export interface HostSpec {
  dataDir: string;
  emulatorPort: number;
  vendorPort: number;
  faults: string;
}

/** A free loopback port (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function track(child: ChildProcess): { exited: Promise<void>; output: () => string } {
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { exited, output: () => tail };
}

/** The whole `c2c dev` stack in a child process; resolves once it prints `CHAOS_READY`. */
export async function startStackHost(
  spec: HostSpec,
  setupDevices = 0,
  timeoutMs = 300_000,
): Promise<Host> {
  const args = ['--import', 'tsx', HOST_SCRIPT, '--data-dir', spec.dataDir];
  args.push('--emulator-port', String(spec.emulatorPort), '--vendor-port', String(spec.vendorPort));
  args.push('--faults', spec.faults);
  if (setupDevices > 0) args.push('--setup-devices', String(setupDevices));
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const { exited, output } = track(child);
  const info = await new Promise<HostInfo>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`stack host not ready in ${timeoutMs} ms:\n${output()}`));
    }, timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const line = buffer.split('\n').find((l) => l.startsWith('CHAOS_READY '));
      if (line === undefined) return;
      clearTimeout(timer);
      resolve(JSON.parse(line.slice('CHAOS_READY '.length)) as HostInfo);
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`stack host exited before ready (${child.exitCode}):\n${output()}`));
    });
  });
  return { form: 'stack', child, pid: child.pid as number, info, exited };
}

/** The emulator bin alone on the data directory: its Lambda host runs the connector it stored. */
export async function startEmulatorHost(spec: HostSpec, timeoutMs = 60_000): Promise<Host> {
  const args = [EMULATOR_BIN, '--data-dir', spec.dataDir, '--port', String(spec.emulatorPort)];
  args.push('--faults', spec.faults, '--log-level', 'error');
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const { exited, output } = track(child);
  let done = false;
  void exited.then(() => {
    done = true;
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (done) throw new Error(`emulator exited before ready (${child.exitCode}):\n${output()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`emulator not ready in ${timeoutMs} ms:\n${output()}`);
    }
    const ok = await fetch(`http://127.0.0.1:${spec.emulatorPort}/_local/functions`, {
      signal: AbortSignal.timeout(2000),
    })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    await sleep(200);
  }
  return { form: 'emulator', child, pid: child.pid as number, info: undefined, exited };
}

/** The connector's worker processes of a host (they run the Lambda bootstrap). */
export function workerPids(host: Host): number[] {
  return childPids(host.pid).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('bootstrap.mjs');
    } catch {
      return false;
    }
  });
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopHost(host: Host, graceMs = 20_000): Promise<void> {
  const workers = workerPids(host);
  host.child.kill('SIGTERM');
  const timer = setTimeout(() => host.child.kill('SIGKILL'), graceMs);
  await host.exited;
  clearTimeout(timer);
  for (const pid of workers) sigkill(pid);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
