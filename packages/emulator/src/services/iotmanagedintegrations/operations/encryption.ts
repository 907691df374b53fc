import { type OperationShapes, ValidationException } from '@c2c-kit/protocol';
import {
  type CallContext,
  compact,
  defineHandlers,
  type HandlerMap,
  type MiContext,
} from '../context.js';
import type { AccountSettingDoc } from '../stores/docs.js';

/** An account's setting in one region (the docs: "for the account in the default or specified region"). */
function settingId(call: CallContext): string {
  return `encryption:${call.account}:${call.region}`;
}

const DEFAULT_SETTING: AccountSettingDoc = {
  encryptionType: 'MANAGED_INTEGRATIONS_DEFAULT_ENCRYPTION',
};

/**
 * The answer of Get/PutDefaultEncryptionConfiguration. The emulator applies a change at once, so
 * the configuration is always `ENABLED` (the service passes through `UPDATE_IN_PROGRESS`).
 */
function view(
  setting: AccountSettingDoc,
): OperationShapes['GetDefaultEncryptionConfiguration']['output'] {
  return {
    configurationStatus: { state: 'ENABLED' },
    encryptionType: setting.encryptionType,
    kmsKeyArn: setting.kmsKeyArn,
  };
}

/** GetDefaultEncryptionConfiguration / PutDefaultEncryptionConfiguration. */
export function encryptionHandlers(ctx: MiContext): HandlerMap {
  const { settings } = ctx.stores;
  return defineHandlers({
    GetDefaultEncryptionConfiguration: (_input, call) =>
      view(settings.getOwned(call, settingId(call)) ?? DEFAULT_SETTING),

    PutDefaultEncryptionConfiguration: (input, call) => {
      if (input.encryptionType === 'CUSTOMER_KEY_ENCRYPTION' && input.kmsKeyArn === undefined) {
        throw new ValidationException(
          'kmsKeyArn: required with encryptionType CUSTOMER_KEY_ENCRYPTION',
        );
      }
      if (input.encryptionType !== 'CUSTOMER_KEY_ENCRYPTION' && input.kmsKeyArn !== undefined) {
        throw new ValidationException(
          `kmsKeyArn: only used with encryptionType CUSTOMER_KEY_ENCRYPTION, got ${input.encryptionType}`,
        );
      }
      const setting: AccountSettingDoc = compact({
        encryptionType: input.encryptionType,
        kmsKeyArn: input.kmsKeyArn,
      });
      settings.put(call, settingId(call), setting);
      return view(setting);
    },
  });
}
