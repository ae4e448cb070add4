import { getArgumentValues, getNamedType, isObjectType, Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from "graphql";

/**
 * Lookahead for prefetching: the argument values of the field at `path` (field names, each
 * selected under the previous) below the field being resolved, or undefined when the query
 * does not ask for it. A root resolver that knows a child's key before its own read finishes
 * (a member's orders need only the member id) starts the child's read at once, in parallel,
 * through the request's loader; the child resolver then finds it in that loader. Follows
 * fragments; the first of several aliased selections wins (the others load on their own);
 * `@skip`/`@include` are not evaluated (a prefetch for a skipped field is only wasted work).
 */
export function selectedArgs(info: GraphQLResolveInfo, path: readonly string[]): Record<string, unknown> | undefined {
  let nodes: readonly FieldNode[] = info.fieldNodes;
  let type = getNamedType(info.returnType);
  let args: Record<string, unknown> | undefined;
  for (const name of path) {
    const def = isObjectType(type) ? type.getFields()[name] : undefined;
    const found = def ? nodes.flatMap((n) => fieldsNamed(n.selectionSet, name, info)) : [];
    if (!def || found.length === 0) return undefined;
    args = getArgumentValues(def, found[0]!, info.variableValues);
    nodes = found;
    type = getNamedType(def.type);
  }
  return args;
}

function fieldsNamed(set: SelectionSetNode | undefined, name: string, info: GraphQLResolveInfo): FieldNode[] {
  if (!set) return [];
  const out: FieldNode[] = [];
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) {
      if (s.name.value === name) out.push(s);
    } else if (s.kind === Kind.INLINE_FRAGMENT) {
      out.push(...fieldsNamed(s.selectionSet, name, info));
    } else {
      const fragment = info.fragments[s.name.value];
      if (fragment) out.push(...fieldsNamed(fragment.selectionSet, name, info));
    }
  }
  return out;
}
