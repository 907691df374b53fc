import { DEVICE_PRESETS, doorLock, type MatterCluster } from '@c2c-kit/matter';
import { CLUSTER, type DeviceKind, unsupported } from './kind.js';

/** Matter has no "jammed" LockState: a jammed bolt is not fully locked. */
const LOCK_STATE = { locked: 'Locked', unlocked: 'Unlocked', jammed: 'NotFullyLocked' } as const;

/** A door lock: `lockState` locked / unlocked / jammed. */
export const lock: DeviceKind = {
  kind: 'lock',
  endpoint: DEVICE_PRESETS.doorLock,
  toClusters(state) {
    const out: MatterCluster[] = [];
    const matter = LOCK_STATE[state.lockState as keyof typeof LOCK_STATE];
    if (matter) out.push(doorLock.lockState(matter));
    return out;
  },
  toCommands(request) {
    // DoorLock commands: 0x00 LockDoor, 0x01 UnlockDoor.
    if (request.clusterId === CLUSTER.DoorLock && request.commandId === '0x00') {
      return [{ command: 'lock' }];
    }
    if (request.clusterId === CLUSTER.DoorLock && request.commandId === '0x01') {
      return [{ command: 'unlock' }];
    }
    throw unsupported('lock', request);
  },
};
