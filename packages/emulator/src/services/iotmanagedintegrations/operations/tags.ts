import { ERROR_CLASSES, ResourceNotFoundException } from '@c2c-kit/protocol';
import { type CallContext, defineHandlers, type HandlerMap, type MiContext } from '../context.js';
import { saveAssociation } from '../domain/associations.js';
import { thingKeys } from '../domain/things.js';

/** The model's TagsMap holds at most 50 tags. */
const MAX_TAGS = 50;

/** A resource that carries tags: its current tags and how to store new ones. */
interface Taggable {
  readonly tags: Record<string, string> | undefined;
  save(tags: Record<string, string> | undefined): void;
}

/**
 * The resource an ARN names. Of the types the model's `IoTManagedIntegrationsResourceARN` admits
 * (managed-thing, account-association, provisioning-profile, ota-task, credential-locker), the
 * emulator keeps the first two; the others cannot exist here (their Create answers 501).
 */
function resolve(ctx: MiContext, call: CallContext, resourceArn: string): Taggable {
  const m = /:(managed-thing|account-association|[a-z-]+)\/([0-9a-zA-Z]+)$/.exec(resourceArn);
  const kind = m?.[1];
  const id = m?.[2] ?? '';
  if (kind === 'managed-thing') {
    const thing = ctx.stores.things.getOwned(call, id);
    if (thing !== undefined && thing.Arn === resourceArn) {
      return {
        tags: thing.Tags,
        save: (tags) => {
          const next = { ...thing, Tags: tags };
          ctx.stores.things.put(call, id, next, thingKeys(next));
        },
      };
    }
  } else if (kind === 'account-association') {
    const association = ctx.stores.associations.getOwned(call, id);
    if (association !== undefined && association.Arn === resourceArn) {
      return {
        tags: association.Tags,
        save: (tags) => saveAssociation(ctx, call, { ...association, Tags: tags }),
      };
    }
  }
  throw new ResourceNotFoundException('Resource does not exist', {
    ResourceId: resourceArn,
    ResourceType: kind ?? 'Resource',
  });
}

/** TagResource / UntagResource / ListTagsForResource on managed things and account associations. */
export function tagHandlers(ctx: MiContext): HandlerMap {
  return defineHandlers({
    TagResource: (input, call) => {
      ctx.stores.db.transaction(() => {
        const resource = resolve(ctx, call, input.ResourceArn);
        const tags = { ...resource.tags, ...input.Tags };
        if (Object.keys(tags).length > MAX_TAGS) {
          throw new ERROR_CLASSES.InvalidRequestException(
            `Tags: a resource carries at most ${MAX_TAGS} tags; this request would leave ${Object.keys(tags).length}`,
          );
        }
        resource.save(tags);
      })();
      return {};
    },

    UntagResource: (input, call) => {
      ctx.stores.db.transaction(() => {
        const resource = resolve(ctx, call, input.ResourceArn);
        const tags = { ...resource.tags };
        for (const key of input.TagKeys) delete tags[key];
        resource.save(Object.keys(tags).length > 0 ? tags : undefined);
      })();
      return {};
    },

    ListTagsForResource: (input, call) => {
      const { tags } = resolve(ctx, call, input.ResourceArn);
      // TagsMap has 1–50 entries: an untagged resource answers without `tags`.
      return tags !== undefined && Object.keys(tags).length > 0 ? { tags } : {};
    },
  });
}
