import type { GraphQLField, GraphQLFieldResolver, GraphQLSchema } from "graphql";
import { isObjectType } from "graphql";

type Wrapper<TContext> = (field: GraphQLField<unknown, TContext>, fieldName: string, typeName: string) => GraphQLFieldResolver<unknown, TContext> | undefined;

/**
 * Replaces field resolvers of an executable schema in place: `wrap` returns the new resolver, or
 * undefined to leave a field as it is. `mapSchema` would rebuild every type of the schema for
 * each wrapper (~35 ms of the Lambda's cold start each); the schema is ours and built once, so
 * setting `resolve` on its fields is the same result without the copy. `roots` limits it to the
 * Query, Mutation and Subscription fields; introspection types are never touched.
 */
export function wrapResolvers<TContext = unknown>(schema: GraphQLSchema, scope: "roots" | "objects", wrap: Wrapper<TContext>): GraphQLSchema {
  const types =
    scope === "roots"
      ? [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]
      : Object.values(schema.getTypeMap()).filter((type) => !type.name.startsWith("__"));
  for (const type of types) {
    if (!type || !isObjectType(type)) continue;
    for (const [name, field] of Object.entries(type.getFields())) {
      const resolve = wrap(field as GraphQLField<unknown, TContext>, name, type.name);
      if (resolve) field.resolve = resolve as GraphQLFieldResolver<unknown, unknown>;
    }
  }
  return schema;
}
