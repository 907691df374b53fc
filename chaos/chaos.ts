// The chaos run: the driver plays the vendor cloud (signed Standard Webhooks to the connector's
// Function URL, each device's events one after another, retried until acknowledged), while
// SIGKILLs hit connector workers, the whole stack and the emulator on their schedule. At the end
// the stack stops and what the service stored is counted against what was acknowledged.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { signStandardWebhook } from '@c2c-kit/connector';
import Database from 'better-sqlite3';
import { allowedDuplicates, type ChaosCount, countRun, readArrivals } from './count.js';
import {
  type ChaosOptions,
  chaosDeviceId,
  killSchedule,
  perDevice,
  rng,
  temperatureOf,
} from './plan.js';
import {
  freePort,
  type Host,
  type HostInfo,
  type HostSpec,
  sigkill,
  sleep,
  startEmulatorHost,
  startStackHost,
  stopHost,
  workerPids,
} from './processes.js';

export interface ChaosReport extends ChaosCount {
  options: ChaosOptions;
  kills: { worker: number; stack: number; emulator: number };
  /** Events the driver never got acknowledged before --max-seconds (not sent: not a loss). */
  unacknowledged: number;
  /** Webhooks answered with a 4xx other than 409/429 (the connector refused them). */
  refused: number;
  /** Webhook calls the driver gave up waiting for (each may have been processed). */
  timeouts: number;
  /** Acknowledged events the connector parked in its outbox (its answer's `parked`). */
  parked: number;
  allowedDuplicates: number;
  outboxLeft: number;
  deadLettered: number;
  wallSeconds: number;
  failures: string[];
}

/** Events in flight at once, each of another device: keeps the workers busy, not the host flooded. */
const IN_FLIGHT = 16;
const DEVICE_PREFIX = 'chaos-d';

export async function runChaos(
  options: ChaosOptions,
  log: (line: string) => void = () => {},
): Promise<ChaosReport> {
  const started = Date.now();
  const deadline = started + options.maxSeconds * 1000;
  // The last fifth of the time (at least 60 s) is for the outbox to drain.
  const driveUntil = deadline - Math.max(60_000, options.maxSeconds * 200);
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'c2c-chaos-'));
  const spec: HostSpec = {
    dataDir,
    emulatorPort: await freePort(),
    vendorPort: await freePort(),
    faults: options.faults,
  };
  const random = rng(options.seed);
  const kills = { worker: 0, stack: 0, emulator: 0 };
  let host: Host | undefined;
  try {
    log(`setting up ${options.devices} devices in ${dataDir}`);
    host = await startStackHost(spec, options.devices);
    const info = host.info as HostInfo;
    const counts = perDevice(options);
    const acked = new Map<string, number[]>();
    let ackedTotal = 0;
    let refused = 0;
    let timeouts = 0;
    let parked = 0;
    // Answers other than 2xx since the last progress line, by status (0: no answer).
    const retried = new Map<number, number>();

    const deliver = async (device: string, seq: number): Promise<void> => {
      const id = `chaos-${device}-${seq}`;
      const body = JSON.stringify({
        eventId: id,
        type: 'device.temperature',
        deviceId: device,
        kind: 'thermostat',
        userId: info.userId,
        occurredAt: new Date().toISOString(),
        source: 'device',
        data: { temperatureC: temperatureOf(seq) },
      });
      for (let attempt = 0; Date.now() < driveUntil; attempt++) {
        const headers = signStandardWebhook({
          secret: info.webhookSecret,
          id,
          timestamp: Math.floor(Date.now() / 1000),
          body,
        });
        let status = 0;
        let answer = '';
        try {
          const response = await fetch(info.functionUrl, {
            method: 'POST',
            headers: { ...headers, 'content-type': 'application/json' },
            body,
            signal: AbortSignal.timeout(40_000),
          });
          status = response.status;
          answer = await response.text();
        } catch (error) {
          if ((error as Error).name === 'TimeoutError') timeouts++;
        }
        if (status < 200 || status >= 300) retried.set(status, (retried.get(status) ?? 0) + 1);
        if (status >= 200 && status < 300) {
          acked.get(device)?.push(seq);
          ackedTotal++;
          parked += parkedIn(answer);
          return;
        }
        if (status >= 400 && status < 500 && status !== 409 && status !== 429) {
          refused++;
          log(`${id}: refused with ${status}`);
          return;
        }
        await sleep(Math.min(2000, 100 * 2 ** Math.min(attempt, 5)) * (0.5 + random() / 2));
      }
    };

    // Every device sends throughout the run, one event at a time: a driver takes the next event
    // of a device with none in flight, round robin, so all devices (and their outbox message
    // groups) are active at once and the run does not end with a few devices sending alone.
    const devices = counts.map((n, i) => ({ device: chaosDeviceId(i), n, next: 1, busy: false }));
    for (const { device } of devices) acked.set(device, []);
    let turn = 0;
    const take = () => {
      for (let k = 0; k < devices.length; k++) {
        const d = devices[(turn + k) % devices.length];
        if (d !== undefined && !d.busy && d.next <= d.n) {
          turn = (turn + k + 1) % devices.length;
          d.busy = true;
          return d;
        }
      }
      return undefined;
    };
    // A driver stops when every unfinished device is in flight: their drivers go on with them.
    const drive = async () => {
      for (let d = take(); d !== undefined && Date.now() < driveUntil; d = take()) {
        await deliver(d.device, d.next);
        d.next++;
        d.busy = false;
      }
    };

    const schedule = killSchedule(options);
    let driving = true;
    const killer = async () => {
      for (const kill of schedule) {
        while (driving && ackedTotal < kill.afterAcks) await sleep(100);
        if (!driving) return;
        const current = host as Host;
        if (kill.kind === 'worker') {
          let pids = workerPids(current);
          for (let i = 0; i < 50 && pids.length === 0; i++) {
            await sleep(100);
            pids = workerPids(current);
          }
          const pid = pids[Math.floor(random() * pids.length)];
          if (pid !== undefined && sigkill(pid)) kills.worker++;
          log(`kill -9 worker ${pid ?? '(none running)'} after ${ackedTotal} acks`);
          continue;
        }
        if (current.form !== kill.kind)
          throw new Error(`kill ${kill.kind}: the host is ${current.form}`);
        // The stack is all its processes; the emulator alone leaves its workers to notice.
        const pids = [current.pid, ...(kill.kind === 'stack' ? workerPids(current) : [])];
        for (const pid of pids) sigkill(pid);
        await current.exited;
        kills[kill.kind]++;
        log(`kill -9 ${kill.kind} (pids ${pids.join(' ')}) after ${ackedTotal} acks`);
        host = kill.kind === 'stack' ? await startEmulatorHost(spec) : await startStackHost(spec);
        log(`restarted as ${host.form} (pid ${host.pid})`);
      }
    };
    const killing = killer();
    // A line every 30 s, so a slow or stalled run shows where it is.
    const progress = setInterval(() => {
      const answers = [...retried].map(([status, n]) => `${status || 'none'}×${n}`).join(' ');
      retried.clear();
      log(`${ackedTotal} acknowledged; answers retried since: ${answers || 'none'}`);
    }, 30_000);
    try {
      await Promise.all(Array.from({ length: IN_FLIGHT }, drive));
    } finally {
      clearInterval(progress);
    }
    driving = false;
    await killing;
    log(`driving done: ${ackedTotal} acknowledged; draining the outbox`);

    const sqs = new SQSClient({
      endpoint: info.emulatorUrl,
      region: info.region,
      credentials: { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey },
    });
    const depth = async (QueueUrl: string) => {
      const res = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return (
        Number(res.Attributes?.ApproximateNumberOfMessages ?? 0) +
        Number(res.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
      );
    };
    let outboxLeft = -1;
    let deadLettered = -1;
    let empty = 0;
    try {
      while (Date.now() < deadline && empty < 3) {
        outboxLeft = await depth(info.outboxQueueUrl).catch(() => -1);
        empty = outboxLeft === 0 ? empty + 1 : 0;
        await sleep(1000);
      }
      deadLettered = await depth(info.deadLetterQueueUrl).catch(() => -1);
    } finally {
      sqs.destroy();
    }
    await stopHost(host);
    host = undefined;

    const sqliteFile = join(dataDir, 'emulator.sqlite');
    if (options.sabotage) sabotage(sqliteFile, acked);
    const count = countRun(acked, readArrivals(sqliteFile, DEVICE_PREFIX));
    const allowed = allowedDuplicates(kills, options.workers, timeouts);
    const failures: string[] = [];
    if (count.total.lost > 0) failures.push(`${count.total.lost} acknowledged events lost`);
    if (count.total.orderViolations > 0)
      failures.push(`${count.total.orderViolations} order violations`);
    if (count.total.duplicated > allowed) {
      failures.push(
        `${count.total.duplicated} duplicates, more than the ${allowed} docs/reliability.md allows`,
      );
    }
    if (refused > 0) failures.push(`${refused} webhooks refused (4xx)`);
    return {
      ...count,
      options,
      kills,
      unacknowledged: options.events - ackedTotal - refused,
      refused,
      timeouts,
      parked,
      allowedDuplicates: allowed,
      outboxLeft,
      deadLettered,
      wallSeconds: Math.round((Date.now() - started) / 1000),
      failures,
    };
  } finally {
    if (host !== undefined) await stopHost(host).catch(() => {});
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The `parked` count of a webhook's 2xx answer (`{"status":"accepted","events":1,"parked":1}`);
 * a duplicate's answer repeats the first one's, which was counted then.
 */
function parkedIn(answer: string): number {
  try {
    const { status, parked } = JSON.parse(answer) as { status?: unknown; parked?: unknown };
    return status !== 'duplicate' && typeof parked === 'number' ? parked : 0;
  } catch {
    return 0;
  }
}

/**
 * The deliberately broken run: removes every stored copy of three acknowledged events and swaps
 * the stored order of two events of one device, as a service that lost and reordered would.
 */
function sabotage(sqliteFile: string, acked: ReadonlyMap<string, readonly number[]>): void {
  const db = new Database(sqliteFile);
  try {
    const rows = db
      .prepare(
        "SELECT seq, body FROM mi_connector_events WHERE operation = 'DEVICE_EVENT' ORDER BY seq",
      )
      .all() as Array<{ seq: number; body: string }>;
    const ours = rows.filter((r) => r.body.includes(`"ConnectorDeviceId":"${DEVICE_PREFIX}`));
    const device = [...acked.entries()].find(([, seqs]) => seqs.length >= 5)?.[0];
    const mine = ours.filter((r) => r.body.includes(`"ConnectorDeviceId":"${device}"`));
    const [a, b] = [mine[1], mine[3]];
    if (a === undefined || b === undefined) throw new Error('sabotage: too few stored events');
    const update = db.prepare('UPDATE mi_connector_events SET body = ? WHERE seq = ?');
    update.run(b.body, a.seq);
    update.run(a.body, b.seq);
    const others = ours.filter((r) => !r.body.includes(`"ConnectorDeviceId":"${device}"`));
    const remove = db.prepare('DELETE FROM mi_connector_events WHERE body = ?');
    for (const r of others.slice(0, 3)) remove.run(r.body);
  } finally {
    db.close();
  }
}
