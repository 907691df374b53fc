// A thing card's controls (commands to the thing) and vendor-side buttons (events in the world).

import {
  capabilityNames,
  capabilityNaming,
  endpointIdOf,
  FAN_CHOICES,
  FAN_MODES,
  findProperty,
} from './capabilities.js';
import { api, el, state, TOKEN_HEADER, toast } from './shared.js';

/**
 * Controls show the device's current state: the brightness slider at its level and the fan-mode
 * list at its mode (unless the user is changing them), the lock button saying what it will do.
 */
export function syncControls(card, thing) {
  const slider = card.querySelector('[data-control="level"]');
  const level = findProperty(thing, 'LevelControl', 'CurrentLevel');
  if (slider && typeof level === 'number' && slider.dataset.editing !== 'true') {
    slider.value = String(level);
    slider.dataset.level = String(level);
  }
  const fan = card.querySelector('[data-control="fan-mode"]');
  const mode = findProperty(thing, 'FanControl', 'FanMode');
  if (fan && FAN_CHOICES.includes(FAN_MODES[mode]) && fan.dataset.editing !== 'true') {
    fan.value = FAN_MODES[mode];
  }
  const lock = card.querySelector('[data-control="lock-toggle"]');
  if (lock) {
    const locked = findProperty(thing, 'DoorLock', 'LockState') === 1;
    lock.textContent = locked ? 'Unlock' : 'Lock';
    lock.dataset.action = locked ? 'UnlockDoor' : 'LockDoor';
  }
}

/** Sends SendManagedThingCommand with one capability action and reports the trace id. */
async function command(id, cluster, action, parameters, button) {
  const thing = state.things.get(id);
  if (button) button.disabled = true;
  try {
    const result = await api('SendManagedThingCommand', {
      ManagedThingId: id,
      Endpoints: [
        {
          endpointId: endpointIdOf(thing, cluster),
          capabilities: [
            {
              ...capabilityNaming(thing, cluster),
              actions: [parameters === undefined ? { name: action } : { name: action, parameters }],
            },
          ],
        },
      ],
    });
    toast(`Command sent (trace ${result.TraceId ?? '?'})`);
  } catch (error) {
    toast(error.message, 'error');
  } finally {
    if (button) button.disabled = false;
  }
}

export function controlsFor(id, thing, kind) {
  const names = capabilityNames(thing);
  const controls = [];
  const button = (text, onclick, extra = {}) =>
    el('button', { type: 'button', ...extra, onclick: (e) => onclick(e.currentTarget) }, text);
  if (names.has('FanControl')) {
    const select = el(
      'select',
      {
        'aria-label': 'Fan mode',
        'data-control': 'fan-mode',
        // Chosen by the user: stays on their choice until the command is sent.
        onchange: (e) => {
          e.currentTarget.dataset.editing = 'true';
        },
      },
      ...FAN_CHOICES.map((m) => el('option', { value: m }, m)),
    );
    controls.push(
      el(
        'div',
        { class: 'control' },
        el('label', {}, 'Fan mode ', select),
        button(
          'Set',
          async (b) => {
            await command(
              id,
              'FanControl',
              'FanMode',
              { FanMode: FAN_MODES.indexOf(select.value) },
              b,
            );
            delete select.dataset.editing;
          },
          { 'data-control': 'fan-set' },
        ),
      ),
    );
  }
  if (names.has('OnOff')) {
    controls.push(
      el(
        'div',
        { class: 'control' },
        button('On', (b) => command(id, 'OnOff', 'On', undefined, b)),
        button('Off', (b) => command(id, 'OnOff', 'Off', undefined, b)),
      ),
    );
  }
  if (names.has('LevelControl')) {
    const level = el('input', {
      type: 'range',
      min: '1',
      max: '254',
      value: '127',
      'aria-label': 'Brightness',
      'data-control': 'level',
      // Moved by the user: stays where they put it until the command is sent.
      oninput: (e) => {
        e.currentTarget.dataset.editing = 'true';
      },
    });
    controls.push(
      el(
        'div',
        { class: 'control' },
        el('label', {}, 'Brightness ', level),
        button(
          'Apply',
          async (b) => {
            await command(
              id,
              'LevelControl',
              'MoveToLevel',
              { Level: Number(level.value), TransitionTime: 0, OptionsMask: 0, OptionsOverride: 0 },
              b,
            );
            delete level.dataset.editing;
          },
          { 'data-control': 'level-set' },
        ),
      ),
    );
  }
  if (names.has('DoorLock')) {
    controls.push(
      el(
        'div',
        { class: 'control' },
        // One button saying what it will do; syncControls names it from the current LockState.
        button('Lock', (b) => command(id, 'DoorLock', b.dataset.action ?? 'LockDoor', {}, b), {
          'data-control': 'lock-toggle',
        }),
      ),
    );
  }
  if (names.has('Thermostat')) {
    controls.push(
      el(
        'div',
        { class: 'control' },
        button('−1 °C', (b) =>
          command(id, 'Thermostat', 'SetpointRaiseLower', { Mode: 0, Amount: -10 }, b),
        ),
        button('+1 °C', (b) =>
          command(id, 'Thermostat', 'SetpointRaiseLower', { Mode: 0, Amount: 10 }, b),
        ),
      ),
    );
  }
  if (controls.length === 0 && kind !== 'camera' && kind !== 'contact') {
    controls.push(el('p', { class: 'muted' }, 'No commands for this device.'));
  }
  return controls;
}

/** Vendor-side buttons: what happens in the real world (someone walks past the camera). */
const VENDOR_EVENTS = {
  camera: [
    ['motion', 'Motion'],
    ['motion_cleared', 'Clear motion'],
  ],
  contact: [
    ['open', 'Open'],
    ['close', 'Close'],
  ],
  fan: [['button', 'Press button']],
  lock: [['jam', 'Jam lock']],
};

export function vendorTriggersFor(thing, kind) {
  const events = VENDOR_EVENTS[kind];
  const deviceId = thing.summary.ConnectorDeviceId;
  if (!events || !deviceId) return [];
  return [
    el('span', { class: 'vendor-label muted' }, 'Vendor side:'),
    ...events.map(([event, text]) =>
      el(
        'button',
        {
          type: 'button',
          class: 'vendor-button',
          'data-vendor-event': event,
          onclick: (e) => triggerVendor(deviceId, event, e.currentTarget),
        },
        text,
      ),
    ),
  ];
}

async function triggerVendor(deviceId, event, button) {
  button.disabled = true;
  try {
    const response = await fetch(`/api/vendor/devices/${encodeURIComponent(deviceId)}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...TOKEN_HEADER },
      body: JSON.stringify({ event, username: state.user }),
    });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new Error(`vendor event: ${body.message ?? response.status}`);
    }
    toast(`Vendor event "${event}" fired`);
  } catch (error) {
    toast(error.message, 'error');
  } finally {
    button.disabled = false;
  }
}
