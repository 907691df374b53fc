/**
 * The command form of capabilities (SendManagedThingCommand): named actions on `matter.<Cluster>@1.4`
 * capabilities ⇄ the Matter commands and attribute writes the connector receives.
 */
import { joinPath, type Result, type ValidationIssue } from '@c2c-kit/protocol';
import { capabilityOf, isRecord, requireCluster } from './capability.js';
import { UnknownMatterElementError } from './errors.js';
import {
  formatAttributeId,
  formatClusterId,
  formatCommandId,
  formatFieldId,
  tryParseMatterId,
} from './ids.js';
import type { AttributeDef } from './model.js';
import { clusterIndex, getCluster } from './table.js';
import { asText } from './text.js';
import { type MatterCluster, type MatterEndpoint, validateMatterEndpoint } from './validate.js';
import { validateAttributeValue } from './values.js';

/** `CapabilityAction` of SendManagedThingCommand. */
export interface CapabilityAction {
  readonly name: string;
  readonly ref?: string;
  readonly actionTraceId?: string;
  readonly parameters?: unknown;
}

/** `CommandCapability` of SendManagedThingCommand. */
export interface CommandCapability {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly actions: readonly CapabilityAction[];
}

/** `CommandEndpoint` of SendManagedThingCommand. */
export interface CommandEndpoint {
  readonly endpointId: string;
  readonly capabilities: readonly CommandCapability[];
}

function actionParameters(parameters: unknown): Record<string, unknown> | undefined {
  if (parameters === undefined || parameters === null) return {};
  return typeof parameters === 'object' && !Array.isArray(parameters)
    ? (parameters as Record<string, unknown>)
    : undefined;
}

/**
 * A SendManagedThingCommand endpoint (customer form, actions by name) → the Matter endpoint the
 * connector receives: `actions: [{ name: 'Step', parameters: { Direction: 0 } }]` on
 * `matter.FanControl@1.4` → `{ id: '0x0202', commands: { '0x00': { '0x00': 0 } } }`.
 * Parameters are keyed by field name (or field id) and validated against the command's fields.
 *
 * Attribute writes (our inference; AWS does not document the shape): an action named after a
 * writable attribute, with `parameters: { value }` or `parameters: { <AttributeName>: value }`,
 * becomes `attributes: { '0x0000': value }`.
 */
export function capabilityActionsToMatter(
  // Typed `unknown` on purpose: every part is validated, so protocol's wire `CommandEndpoint`
  // (documents as `unknown`) and raw request bodies are accepted without casts.
  input: CommandEndpoint | unknown,
  path = 'CommandEndpoint',
): Result<MatterEndpoint> {
  const issues: ValidationIssue[] = [];
  const clusters: MatterCluster[] = [];
  if (!isRecord(input)) {
    return {
      ok: false,
      issues: [
        {
          path,
          message: 'expected an endpoint object {endpointId, capabilities}',
          received: input,
        },
      ],
    };
  }
  const endpoint = input as Partial<CommandEndpoint>;
  if (typeof endpoint.endpointId !== 'string' || !/^[0-9a-zA-Z]{1,64}$/.test(endpoint.endpointId)) {
    issues.push({
      path: joinPath(path, 'endpointId'),
      message: 'expected endpoint id of 1-64 letters or digits',
      received: endpoint.endpointId,
    });
  }
  const capabilities: readonly CommandCapability[] = Array.isArray(endpoint.capabilities)
    ? endpoint.capabilities
    : [];
  if (!Array.isArray(endpoint.capabilities)) {
    issues.push({
      path: joinPath(path, 'capabilities'),
      message: 'expected a list of capabilities',
      received: endpoint.capabilities,
    });
  }
  capabilities.forEach((cap, i) => {
    const capPath = `${joinPath(path, 'capabilities')}[${i}]`;
    const def = typeof cap?.id === 'string' ? getCluster(cap.id) : undefined;
    if (def === undefined || !asText(cap.id).startsWith('matter.')) {
      issues.push({
        path: joinPath(capPath, 'id'),
        message: 'expected a matter.<Cluster>@1.4 capability id',
        received: cap?.id,
      });
      return;
    }
    const index = clusterIndex(def);
    const commands: Record<string, Record<string, unknown>> = {};
    const attributes: Record<string, unknown> = {};
    const actions: readonly CapabilityAction[] = Array.isArray(cap.actions) ? cap.actions : [];
    if (!Array.isArray(cap.actions)) {
      issues.push({
        path: joinPath(capPath, 'actions'),
        message: 'expected a list of actions',
        received: cap.actions,
      });
    }
    actions.forEach((action, j) => {
      const actPath = `${joinPath(capPath, 'actions')}[${j}]`;
      const name = asText(action?.name).toLowerCase();
      const command = index.commandsByName.get(name);
      const params = actionParameters(action?.parameters);
      if (params === undefined) {
        issues.push({
          path: joinPath(actPath, 'parameters'),
          message: 'expected an object of parameters',
          received: action.parameters,
        });
        return;
      }
      if (command !== undefined && command.direction === 'request') {
        const fields: Record<string, unknown> = {};
        let ok = true;
        for (const [key, value] of Object.entries(params)) {
          const id = tryParseMatterId(key);
          const field = command.fields.find((f) =>
            id !== undefined ? f.id === id : f.name.toLowerCase() === key.toLowerCase(),
          );
          if (field === undefined) {
            ok = false;
            const known = command.fields.map((f) => f.name).join(', ') || 'none';
            issues.push({
              path: `${joinPath(actPath, 'parameters')}[${JSON.stringify(key)}]`,
              message: `unknown parameter of ${def.name}.${command.name}; expected one of (${known})`,
              received: key,
            });
            continue;
          }
          fields[formatFieldId(field.id)] = value;
        }
        if (!ok) return;
        // Field values and mandatory fields are checked against the command definition.
        const checked = validateMatterEndpoint(
          {
            id: 'x',
            clusters: [
              { id: formatClusterId(def.id), commands: { [formatCommandId(command.id)]: fields } },
            ],
          },
          { path: 'x', direction: 'request' },
        );
        if (!checked.ok) {
          for (const x of checked.issues) {
            const fieldKey = /\["(0x[0-9A-F]+)"\]$/.exec(x.path)?.[1];
            const field = command.fields.find((f) => formatFieldId(f.id) === fieldKey);
            issues.push({
              ...x,
              path: field
                ? `${joinPath(actPath, 'parameters')}.${field.name}`
                : joinPath(actPath, 'parameters'),
            });
          }
          return;
        }
        commands[formatCommandId(command.id)] =
          checked.value.clusters[0]?.commands?.[formatCommandId(command.id)] ?? fields;
        return;
      }
      const attr: AttributeDef | undefined = index.attributesByName.get(name);
      if (attr?.writable) {
        const value = 'value' in params ? params.value : params[attr.name];
        const r = validateAttributeValue(def, attr, value);
        if (!r.ok)
          for (const x of r.issues) issues.push({ ...x, path: joinPath(actPath, 'parameters') });
        else attributes[formatAttributeId(attr.id)] = r.value;
        return;
      }
      const names = def.commands.filter((c) => c.direction === 'request').map((c) => c.name);
      issues.push({
        path: joinPath(actPath, 'name'),
        message: `expected a ${def.name} command (${names.join(', ') || 'none'}) or writable attribute`,
        received: action?.name,
      });
    });
    const cluster: {
      id: string;
      attributes?: Record<string, unknown>;
      commands?: Record<string, Record<string, unknown>>;
    } = { id: formatClusterId(def.id) };
    if (Object.keys(commands).length > 0) cluster.commands = commands;
    if (Object.keys(attributes).length > 0) cluster.attributes = attributes;
    clusters.push(cluster);
  });
  return issues.length === 0
    ? { ok: true, value: { id: asText(endpoint.endpointId), clusters } }
    : { ok: false, issues };
}

/**
 * The reverse of `capabilityActionsToMatter`, for tests and tools: Matter commands → named actions.
 * @throws UnknownMatterElementError for ids Matter 1.4 does not define.
 */
export function matterToCapabilityActions(endpoint: MatterEndpoint): CommandEndpoint {
  return {
    endpointId: endpoint.id,
    capabilities: endpoint.clusters.map((cluster) => {
      const def = requireCluster(cluster.id);
      const actions: CapabilityAction[] = [];
      for (const [cid, fields] of Object.entries(cluster.commands ?? {})) {
        const id = tryParseMatterId(cid);
        const cmd = def.commands.find((c) => c.id === id && c.direction === 'request');
        if (cmd === undefined) throw new UnknownMatterElementError('command', cid, def.name);
        const parameters: Record<string, unknown> = {};
        for (const [fid, value] of Object.entries(fields)) {
          const field = cmd.fields.find((f) => f.id === tryParseMatterId(fid));
          if (field === undefined)
            throw new UnknownMatterElementError('field', fid, `${def.name}.${cmd.name}`);
          parameters[field.name] = value;
        }
        actions.push({ name: cmd.name, parameters });
      }
      for (const [aid, value] of Object.entries(cluster.attributes ?? {})) {
        const attr = clusterIndex(def).attributesById.get(tryParseMatterId(aid) ?? -1);
        if (attr === undefined) throw new UnknownMatterElementError('attribute', aid, def.name);
        actions.push({ name: attr.name, parameters: { value } });
      }
      return { ...capabilityOf(def), actions };
    }),
  };
}
