import type { DeviceKind } from './devices.js';
import { TRIGGERS } from './devices.js';
import { InvalidRequestError } from './errors.js';
import { describe, numberAt, objectAt, stringAt } from './validate.js';

/** Scripted device events (`POST /_sim/scenario`), checked before any is scheduled. */

export interface ScenarioStep {
  /** Milliseconds after the scenario was scheduled. */
  afterMs: number;
  deviceId: string;
  event: string;
  params?: Record<string, unknown>;
}

const MAX_SCENARIO_STEPS = 1000;
const MAX_SCENARIO_SPAN_MS = 3_600_000;

/**
 * The steps of a script, each checked: an existing device (`kindOf` gives its kind), one of its
 * kind's triggers, a delay within the span. Errors name the step's path.
 */
export function parseScenario(
  rawSteps: unknown,
  path: string,
  kindOf: (deviceId: string) => DeviceKind | undefined,
): ScenarioStep[] {
  if (!Array.isArray(rawSteps) || rawSteps.length === 0 || rawSteps.length > MAX_SCENARIO_STEPS) {
    throw new InvalidRequestError(
      path,
      `an array of 1-${MAX_SCENARIO_STEPS} steps`,
      describe(rawSteps),
    );
  }
  return rawSteps.map((raw, i): ScenarioStep => {
    const p = `${path}[${i}]`;
    const obj = objectAt(raw, p);
    const deviceId = stringAt(obj.deviceId, `${p}.deviceId`, 64);
    const kind = kindOf(deviceId);
    if (kind === undefined)
      throw new InvalidRequestError(`${p}.deviceId`, 'an existing device id', describe(deviceId));
    const event = stringAt(obj.event, `${p}.event`, 64);
    if (!TRIGGERS[kind].includes(event)) {
      throw new InvalidRequestError(
        `${p}.event`,
        `one of ${TRIGGERS[kind].join('|')} for a ${kind}`,
        describe(event),
      );
    }
    const step: ScenarioStep = {
      afterMs: numberAt(obj.afterMs, `${p}.afterMs`, 0, MAX_SCENARIO_SPAN_MS, true),
      deviceId,
      event,
    };
    if (obj.params !== undefined) step.params = objectAt(obj.params, `${p}.params`);
    return step;
  });
}
