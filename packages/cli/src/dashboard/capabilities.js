// What a managed thing is and reports: its capabilities, kind and property values, in words.

/** `matter.FanControl@1.4` → `FanControl` */
export function clusterName(capabilityId) {
  return String(capabilityId ?? '')
    .replace(/^[a-z]+\./, '')
    .replace(/@.*$/, '');
}

/**
 * Capabilities a thing has, from GetManagedThingCapabilities (customer form:
 * `endpoints[].capabilities[]`, or Matter form `endpoints[].clusters[]`) and from its state:
 * `[{ endpointId, id, name, version, cluster }]`.
 */
function capabilityList(thing) {
  const list = [];
  for (const endpoint of thing.capabilities?.CapabilityReport?.endpoints ?? []) {
    for (const cap of endpoint.capabilities ?? []) {
      list.push({
        endpointId: endpoint.id,
        id: cap.id,
        name: cap.name,
        version: cap.version,
        cluster: clusterName(cap.id),
      });
    }
    for (const c of endpoint.clusters ?? []) {
      const cluster = clusterName(c.publicId) || c.name;
      list.push({
        endpointId: endpoint.id,
        id: c.publicId ?? `matter.${cluster}@1.4`,
        name: c.name ?? cluster,
        version: String(c.revision ?? 1),
        cluster,
      });
    }
  }
  for (const endpoint of thing.state?.Endpoints ?? []) {
    for (const cap of endpoint.capabilities ?? []) {
      list.push({
        endpointId: endpoint.endpointId,
        id: cap.id,
        name: cap.name,
        version: cap.version,
        cluster: clusterName(cap.id),
      });
    }
  }
  return list;
}

export function capabilityNames(thing) {
  return new Set(capabilityList(thing).map((c) => c.cluster));
}

export function kindOf(thing) {
  const names = capabilityNames(thing);
  if (names.has('OccupancySensing')) return { kind: 'camera', icon: 'Ca', label: 'Camera' };
  if (names.has('FanControl')) return { kind: 'fan', icon: 'Fa', label: 'Fan' };
  if (names.has('DoorLock')) return { kind: 'lock', icon: 'Lo', label: 'Door lock' };
  if (names.has('Thermostat')) return { kind: 'thermostat', icon: 'Th', label: 'Thermostat' };
  if (names.has('BooleanState')) return { kind: 'contact', icon: 'Co', label: 'Contact sensor' };
  if (names.has('LevelControl') || names.has('ColorControl'))
    return { kind: 'light', icon: 'Li', label: 'Light' };
  if (names.has('OnOff')) return { kind: 'switch', icon: 'Sw', label: 'Switch' };
  return { kind: 'device', icon: 'De', label: 'Device' };
}

/** `{ id, name, version }` of a capability as the service reported it for this thing. */
export function capabilityNaming(thing, cluster) {
  const found = capabilityList(thing).find((c) => c.cluster === cluster);
  return found
    ? { id: found.id, name: found.name, version: found.version }
    : { id: `matter.${cluster}@1.4`, name: cluster, version: '1' };
}

export function endpointIdOf(thing, cluster) {
  return capabilityList(thing).find((c) => c.cluster === cluster)?.endpointId ?? '1';
}

export function propertyValue(value) {
  if (value && typeof value === 'object' && 'propertyValue' in value) return value.propertyValue;
  return value;
}

export const FAN_MODES = ['Off', 'Low', 'Medium', 'High', 'On', 'Auto'];
/** The modes the fan-mode list offers (On is a vendor shorthand for a speed, not a choice). */
export const FAN_CHOICES = ['Off', 'Low', 'Medium', 'High', 'Auto'];

export function formatValue(capabilityId, property, value) {
  if (
    clusterName(capabilityId) === 'FanControl' &&
    property === 'FanMode' &&
    typeof value === 'number'
  ) {
    return `${FAN_MODES[value] ?? value} (${value})`;
  }
  // Matter temperatures are hundredths of a degree Celsius.
  const cluster = clusterName(capabilityId);
  if (cluster === 'OccupancySensing' && property === 'Occupancy' && typeof value === 'number') {
    return value & 1 ? 'motion' : 'clear';
  }
  if (cluster === 'OnOff' && property === 'OnOff') return value ? 'on' : 'off';
  if (cluster === 'BooleanState' && property === 'StateValue') return value ? 'closed' : 'open';
  if (
    (cluster === 'Thermostat' || cluster === 'TemperatureMeasurement') &&
    typeof value === 'number' &&
    /Temperature|Setpoint/.test(property)
  ) {
    return `${(value / 100).toFixed(1)} °C`;
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function findProperty(thing, cluster, property) {
  for (const endpoint of thing.state?.Endpoints ?? []) {
    for (const cap of endpoint.capabilities ?? []) {
      if (clusterName(cap.id) !== cluster) continue;
      for (const prop of cap.properties ?? []) {
        if (prop.name === property) return propertyValue(prop.value);
      }
    }
  }
  return undefined;
}
