// The order CloudFormation creates a template's resources in: every resource after what it
// references (Ref, Fn::GetAtt, Fn::Sub) and what it names in DependsOn; template order otherwise.
import { DeployError } from '../errors.js';
import type { Template } from './assembly.js';
import { referencedIds } from './intrinsics.js';

/** Each resource's dependencies (logical ids of other resources). */
export function dependenciesOf(template: Template): Map<string, Set<string>> {
  const parameters = new Set(Object.keys(template.Parameters ?? {}));
  const resources = template.Resources;
  const deps = new Map<string, Set<string>>();
  for (const [id, resource] of Object.entries(resources)) {
    const found = referencedIds(resource.Properties ?? {}, parameters);
    for (const dep of [resource.DependsOn ?? []].flat()) found.add(dep);
    found.delete(id);
    for (const dep of found) {
      if (!Object.hasOwn(resources, dep)) {
        throw new DeployError(
          `resource ${id} refers to ${dep}, which is no resource, parameter or pseudo parameter of the template`,
        );
      }
    }
    deps.set(id, found);
  }
  return deps;
}

/** Logical ids in creation order; a dependency cycle is an error naming its members. */
export function creationOrder(template: Template): string[] {
  const deps = dependenciesOf(template);
  const order: string[] = [];
  const done = new Set<string>();
  const visiting: string[] = [];
  const visit = (id: string): void => {
    if (done.has(id)) return;
    const at = visiting.indexOf(id);
    if (at !== -1) {
      throw new DeployError(
        `circular dependency between resources: ${[...visiting.slice(at), id].join(' → ')}`,
      );
    }
    visiting.push(id);
    for (const dep of deps.get(id) ?? []) visit(dep);
    visiting.pop();
    done.add(id);
    order.push(id);
  };
  for (const id of Object.keys(template.Resources)) visit(id);
  return order;
}
