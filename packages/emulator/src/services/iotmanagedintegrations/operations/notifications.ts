import {
  ConflictException,
  type GetDestinationResponse,
  ResourceNotFoundException,
} from '@c2c-kit/protocol';
import {
  compact,
  defineHandlers,
  epochSeconds,
  type HandlerMap,
  type MiContext,
  withClientToken,
} from '../context.js';
import { notificationKey as key } from '../domain/notifications.js';
import type { NotificationConfigDoc, NotificationDestinationDoc } from '../stores/docs.js';

function destinationNotFound(name: string): ResourceNotFoundException {
  return new ResourceNotFoundException('Destination does not exist', {
    ResourceId: name,
    ResourceType: 'Destination',
  });
}

function configNotFound(eventType: string): ResourceNotFoundException {
  return new ResourceNotFoundException('Notification configuration does not exist', {
    ResourceId: eventType,
    ResourceType: 'NotificationConfiguration',
  });
}

function destinationView(d: NotificationDestinationDoc): GetDestinationResponse {
  return {
    Name: d.Name,
    DeliveryDestinationArn: d.DeliveryDestinationArn,
    DeliveryDestinationType: d.DeliveryDestinationType,
    RoleArn: d.RoleArn,
    Description: d.Description,
    Tags: d.Tags,
    CreatedAt: epochSeconds(d.CreatedAt),
    UpdatedAt: epochSeconds(d.UpdatedAt),
  };
}

/** CreateDestination / CreateNotificationConfiguration and their Get/List/Update/Delete. */
export function notificationHandlers(ctx: MiContext): HandlerMap {
  const { notificationDestinations: dests, notificationConfigs: configs } = ctx.stores;
  return defineHandlers({
    CreateDestination: (input, call) =>
      withClientToken(ctx, call, 'CreateDestination', input, () => {
        if (dests.get(key(call, input.Name)) !== undefined) {
          throw new ConflictException(`Destination "${input.Name}" already exists`);
        }
        const now = Date.now();
        dests.put(call, key(call, input.Name), {
          Name: input.Name,
          DeliveryDestinationArn: input.DeliveryDestinationArn,
          DeliveryDestinationType: input.DeliveryDestinationType,
          RoleArn: input.RoleArn,
          Description: input.Description,
          Tags: input.Tags,
          CreatedAt: now,
          UpdatedAt: now,
        });
        ctx.invalidate();
        return { Name: input.Name };
      }),
    GetDestination: (input, call) => {
      const d = dests.getOwned(call, key(call, input.Name));
      if (d === undefined) throw destinationNotFound(input.Name);
      return destinationView(d);
    },
    ListDestinations: (input, call) => {
      const page = dests.page(call, {
        maxResults: input.MaxResults,
        nextToken: input.NextToken,
      });
      return {
        // DestinationSummary has no Tags or timestamps (GetDestination has them).
        DestinationList: page.items.map((d) => ({
          Name: d.Name,
          DeliveryDestinationArn: d.DeliveryDestinationArn,
          DeliveryDestinationType: d.DeliveryDestinationType,
          RoleArn: d.RoleArn,
          Description: d.Description,
        })),
        NextToken: page.nextToken,
      };
    },
    UpdateDestination: (input, call) => {
      const d = dests.getOwned(call, key(call, input.Name));
      if (d === undefined) throw destinationNotFound(input.Name);
      dests.put(call, key(call, input.Name), {
        ...d,
        ...(compact({
          DeliveryDestinationArn: input.DeliveryDestinationArn,
          DeliveryDestinationType: input.DeliveryDestinationType,
          RoleArn: input.RoleArn,
          Description: input.Description,
        }) as Partial<NotificationDestinationDoc>),
        UpdatedAt: Date.now(),
      });
      ctx.invalidate();
      return undefined;
    },
    DeleteDestination: (input, call) => {
      if (!dests.delete(key(call, input.Name))) throw destinationNotFound(input.Name);
      ctx.invalidate();
      return undefined;
    },
    CreateNotificationConfiguration: (input, call) =>
      withClientToken(ctx, call, 'CreateNotificationConfiguration', input, () => {
        if (dests.get(key(call, input.DestinationName)) === undefined) {
          throw destinationNotFound(input.DestinationName);
        }
        if (configs.get(key(call, input.EventType)) !== undefined) {
          throw new ConflictException(
            `A notification configuration for ${input.EventType} already exists`,
          );
        }
        const now = Date.now();
        const doc: NotificationConfigDoc = {
          EventType: input.EventType,
          DestinationName: input.DestinationName,
          Tags: input.Tags,
          CreatedAt: now,
          UpdatedAt: now,
        };
        configs.put(call, key(call, input.EventType), doc);
        ctx.invalidate();
        return { EventType: input.EventType };
      }),
    GetNotificationConfiguration: (input, call) => {
      const c = configs.getOwned(call, key(call, input.EventType));
      if (c === undefined) throw configNotFound(input.EventType);
      return {
        EventType: c.EventType,
        DestinationName: c.DestinationName,
        CreatedAt: epochSeconds(c.CreatedAt),
        UpdatedAt: epochSeconds(c.UpdatedAt),
        Tags: c.Tags,
      };
    },
    ListNotificationConfigurations: (input, call) => {
      const page = configs.page(call, {
        maxResults: input.MaxResults,
        nextToken: input.NextToken,
      });
      return {
        NotificationConfigurationList: page.items.map((c) => ({
          EventType: c.EventType,
          DestinationName: c.DestinationName,
        })),
        NextToken: page.nextToken,
      };
    },
    UpdateNotificationConfiguration: (input, call) => {
      const c = configs.getOwned(call, key(call, input.EventType));
      if (c === undefined) throw configNotFound(input.EventType);
      if (dests.get(key(call, input.DestinationName)) === undefined) {
        throw destinationNotFound(input.DestinationName);
      }
      configs.put(call, key(call, input.EventType), {
        ...c,
        DestinationName: input.DestinationName,
        UpdatedAt: Date.now(),
      });
      ctx.invalidate();
      return undefined;
    },
    DeleteNotificationConfiguration: (input, call) => {
      if (!configs.delete(key(call, input.EventType))) throw configNotFound(input.EventType);
      ctx.invalidate();
      return undefined;
    },
  });
}
