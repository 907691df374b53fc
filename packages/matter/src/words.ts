import { REDACTED } from '@c2c-kit/protocol';
import { attributePairs, isRecord, type MatterEndpointLike } from './capability.js';
import { formatAttributeId, formatClusterId, tryParseMatterId } from './ids.js';
import type { AttributeDef, ClusterDef } from './model.js';
import { clusterIndex, getCluster } from './table.js';
import { asText, isSensitiveElement, jsonText } from './text.js';
import { validateMatterEndpoint } from './validate.js';
import { validateAttributeValue } from './values.js';

// Matter payloads in words for people (`FanControl.FanMode = High (3)`): the CLI's summaries, the
// demo narration and the dashboard feed all word values through these.

function valueWords(def: ClusterDef, attr: AttributeDef, value: unknown): string {
  if (typeof value === 'number' && attr.ref !== undefined) {
    const type = def.datatypes[attr.ref];
    if (type?.kind === 'enum') {
      const member = type.members.find((m) => m.value === value);
      if (member !== undefined) return `${member.name} (${value})`;
    }
    if (type?.kind === 'bitmap') {
      const set = type.members.filter(
        (m) => m.width === 1 && Math.floor(value / 2 ** m.bit) % 2 === 1,
      );
      return `${set.map((m) => m.name).join('|') || 'none'} (${value})`;
    }
  }
  return jsonText(value);
}

/**
 * One attribute change in words: `describeAttributeChange('0x0202', '0x0000', 3)` →
 * `FanControl.FanMode = High (3)`. Unknown ids are shown as they are (`0x1003.0x0000 = 73`).
 */
export function describeAttributeChange(
  cluster: string | number,
  attribute: string | number,
  value: unknown,
): string {
  const def = getCluster(cluster);
  const attr =
    def === undefined
      ? undefined
      : clusterIndex(def).attributesById.get(tryParseMatterId(attribute) ?? -1);
  if (def === undefined || attr === undefined) {
    const cid = tryParseMatterId(cluster);
    const aid = tryParseMatterId(attribute);
    const c = def?.name ?? (cid === undefined ? asText(cluster) : formatClusterId(cid));
    const a = aid === undefined ? asText(attribute) : formatAttributeId(aid);
    return `${c}.${a} = ${jsonText(value)}`;
  }
  if (isSensitiveElement(attr.name, attr.kind)) return `${def.name}.${attr.name} = ${REDACTED}`;
  // The seed example sends "3": describe what it means.
  const normalised = validateAttributeValue(def, attr, value);
  return `${def.name}.${attr.name} = ${valueWords(def, attr, normalised.ok ? normalised.value : value)}`;
}

/**
 * Every attribute change, command and event of an endpoint in words, one string each:
 * `['FanControl.FanMode = High (3)', 'OnOff.On()', 'DoorLock.LockOperation(…) [event]']`.
 * Accepts both attribute encodings and never throws: parts it cannot read are skipped, unknown
 * ids are shown as hex.
 */
export function describeMatterEndpoint(endpoint: MatterEndpointLike): string[] {
  const checked = validateMatterEndpoint(endpoint, { unknown: 'ignore' });
  const source: MatterEndpointLike = checked.ok ? checked.value : endpoint;
  const lines: string[] = [];
  const clusters: readonly unknown[] = Array.isArray(source?.clusters) ? source.clusters : [];
  for (const cluster of clusters) {
    if (!isRecord(cluster)) continue;
    const cid = cluster.id as string | number;
    const def = getCluster(cid);
    const cnum = tryParseMatterId(cid);
    const cname = def?.name ?? (cnum === undefined ? asText(cid) : formatClusterId(cnum));
    for (const [aid, value] of attributePairs(cluster.attributes)) {
      lines.push(describeAttributeChange(cid, aid, value));
    }
    for (const kind of ['command', 'event'] as const) {
      const map = kind === 'command' ? cluster.commands : cluster.events;
      if (!isRecord(map)) continue;
      for (const [id, fields] of Object.entries(map)) {
        const n = tryParseMatterId(id);
        const elem =
          def === undefined
            ? undefined
            : kind === 'command'
              ? def.commands.find((c) => c.id === n && c.direction === 'request')
              : def.events.find((e) => e.id === n);
        const args = isRecord(fields)
          ? Object.entries(fields)
              .map(([fid, v]) => {
                const field = elem?.fields.find((f) => f.id === tryParseMatterId(fid));
                const shown =
                  field && isSensitiveElement(field.name, field.kind) ? REDACTED : jsonText(v);
                return `${field?.name ?? fid}=${shown}`;
              })
              .join(', ')
          : '';
        lines.push(`${cname}.${elem?.name ?? id}(${args})${kind === 'event' ? ' [event]' : ''}`);
      }
    }
  }
  return lines;
}
