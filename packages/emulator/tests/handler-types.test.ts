import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type CallContext,
  defineHandlers,
} from '../src/services/iotmanagedintegrations/context.js';

// The managed-integrations handlers are typed per operation from the model, as smithy's server
// handlers are. The refusals below are type-level: `node scripts/typecheck-tests.mjs` fails when
// a `@ts-expect-error` stops being an error, i.e. when the handler types stop refusing it.

const call = {} as CallContext;

describe('managed-integrations handler types', () => {
  it('gives each handler its operation’s input and the call context', async () => {
    const handlers = defineHandlers({
      GetCloudConnector: (input, context) => {
        expectTypeOf(input.Identifier).toEqualTypeOf<string>();
        expectTypeOf(context).toEqualTypeOf<CallContext>();
        return { Name: input.Identifier, EndpointConfig: {} };
      },
      // An operation whose output has no members may answer an empty body.
      DeleteCloudConnector: async () => undefined,
    });
    expect(handlers.GetCloudConnector({ Identifier: 'c1' }, call)).toEqual({
      Name: 'c1',
      EndpointConfig: {},
    });
    expect(await handlers.DeleteCloudConnector()).toBeUndefined();
  });

  it('refuses a reply member the model lacks, at the top or nested', () => {
    defineHandlers({
      // @ts-expect-error GetCloudConnector's output has no member Colour
      GetCloudConnector: () => ({ Name: 'c', EndpointConfig: {}, Colour: 'red' }),
    });
    defineHandlers({
      // @ts-expect-error a ConnectorItem has no member Colour
      ListCloudConnectors: async () => ({ Items: [{ Name: 'c', EndpointConfig: {}, Colour: 1 }] }),
    });
  });

  it('refuses missing members, values outside an enum, inputs and operations not modelled', () => {
    defineHandlers({
      // @ts-expect-error Name and EndpointConfig are required members of the output
      GetCloudConnector: () => ({}),
    });
    defineHandlers({
      // @ts-expect-error ProvisioningStatus takes one of the model's enum values
      GetManagedThing: () => ({ ProvisioningStatus: 'SOMETIMES' }),
    });
    defineHandlers({
      GetManagedThing: (input) => {
        // @ts-expect-error GetManagedThing's input has no member ConnectorId
        void input.ConnectorId;
        return {};
      },
    });
    // @ts-expect-error the model has no operation GetCloudConnectors
    defineHandlers({ GetCloudConnectors: () => ({}) });
  });
});
