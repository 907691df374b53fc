// Counting a chaos run: what the service stored (read from the emulator's SQLite file, the same
// rows `GET /_local/events` serves, which returns at most the newest 10,000) against what the
// connector acknowledged, per device: delivered, lost, duplicated, order violations.
import Database from 'better-sqlite3';
import { seqOf } from './plan.js';

/** One stored DEVICE_EVENT of a chaos device, in the service's arrival order. */
export interface Arrival {
  device: string;
  seq: number;
}

export interface DeviceFigures {
  device: string;
  acknowledged: number;
  delivered: number;
  lost: number;
  duplicated: number;
  orderViolations: number;
}

export interface ChaosCount {
  devices: DeviceFigures[];
  total: Omit<DeviceFigures, 'device'>;
  /** `device#seq` of each lost event (at most 50), for the report. */
  lostExamples: string[];
  /** `device: a after b` of each order violation (at most 50). */
  orderExamples: string[];
}

/** Stored DEVICE_EVENTs of devices whose id starts with `prefix`, oldest first. */
export function readArrivals(sqliteFile: string, prefix: string): Arrival[] {
  const db = new Database(sqliteFile, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare("SELECT body FROM mi_connector_events WHERE operation = 'DEVICE_EVENT' ORDER BY seq")
      .all() as Array<{ body: string }>;
    const out: Arrival[] = [];
    for (const row of rows) {
      const body = JSON.parse(row.body) as {
        ConnectorDeviceId?: string;
        MatterEndpoint?: { clusters?: Array<{ id: string; attributes?: Record<string, unknown> }> };
      };
      const device = body.ConnectorDeviceId;
      if (device === undefined || !device.startsWith(prefix)) continue;
      for (const cluster of body.MatterEndpoint?.clusters ?? []) {
        if (cluster.id !== '0x0201') continue;
        const seq = seqOf(Number(cluster.attributes?.['0x0000']));
        if (seq !== undefined) out.push({ device, seq });
      }
    }
    return out;
  } finally {
    db.close();
  }
}

/**
 * `acked`: per device, the sequence numbers the connector acknowledged (2xx), in the order it
 * acknowledged them (each device's webhooks are sent one after another, so ascending). An event
 * is delivered if stored at least once, lost if acknowledged and never stored, duplicated once
 * per extra copy. Order is judged on first arrivals, as docs/reliability.md promises it: a copy
 * may arrive late, a first arrival may not overtake an event acknowledged before it.
 */
export function countRun(
  acked: ReadonlyMap<string, readonly number[]>,
  arrivals: readonly Arrival[],
): ChaosCount {
  const byDevice = new Map<string, number[]>();
  for (const a of arrivals) {
    const list = byDevice.get(a.device) ?? [];
    byDevice.set(a.device, list);
    list.push(a.seq);
  }
  const devices: DeviceFigures[] = [];
  const lostExamples: string[] = [];
  const orderExamples: string[] = [];
  const names = [...new Set([...acked.keys(), ...byDevice.keys()])].sort();
  for (const device of names) {
    const ack = acked.get(device) ?? [];
    const stored = byDevice.get(device) ?? [];
    const copies = new Map<number, number>();
    for (const seq of stored) copies.set(seq, (copies.get(seq) ?? 0) + 1);
    let delivered = 0;
    let lost = 0;
    for (const seq of ack) {
      if (copies.has(seq)) delivered++;
      else {
        lost++;
        if (lostExamples.length < 50) lostExamples.push(`${device}#${seq}`);
      }
    }
    let duplicated = 0;
    for (const n of copies.values()) duplicated += n - 1;
    // Acknowledgement rank of each seq; a first arrival ranked below one before it is a violation.
    const rank = new Map(ack.map((seq, i) => [seq, i] as const));
    const seen = new Set<number>();
    let highest = -1;
    let highestSeq = 0;
    let orderViolations = 0;
    for (const seq of stored) {
      if (seen.has(seq)) continue;
      seen.add(seq);
      const r = rank.get(seq);
      if (r === undefined) continue;
      if (r < highest) {
        orderViolations++;
        if (orderExamples.length < 50)
          orderExamples.push(`${device}: #${seq} after #${highestSeq}`);
      } else {
        highest = r;
        highestSeq = seq;
      }
    }
    devices.push({
      device,
      acknowledged: ack.length,
      delivered,
      lost,
      duplicated,
      orderViolations,
    });
  }
  const total = { acknowledged: 0, delivered: 0, lost: 0, duplicated: 0, orderViolations: 0 };
  for (const d of devices) {
    total.acknowledged += d.acknowledged;
    total.delivered += d.delivered;
    total.lost += d.lost;
    total.duplicated += d.duplicated;
    total.orderViolations += d.orderViolations;
  }
  return { devices, total, lostExamples, orderExamples };
}

/**
 * Duplicates docs/reliability.md allows in a run: SendConnectorEvent has no idempotency token, so
 * a call in flight when a process died (stored, answer lost) is sent again — one per killed worker
 * (a worker runs one invocation, one event, at a time), and one per worker for a killed emulator
 * or stack — plus one per webhook or drainer call that timed out (reported by the driver).
 */
export function allowedDuplicates(
  kills: { worker: number; stack: number; emulator: number },
  workers: number,
  timeouts: number,
): number {
  return kills.worker + (kills.stack + kills.emulator) * workers + timeouts;
}
