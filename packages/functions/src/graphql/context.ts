import { rateLimiter } from "./rate-limit.js";
import type DataLoader from "dataloader";
import { DomainError } from "@growth/core/shared";
import { authenticate, type Principal } from "./auth.js";
import { requestFailure } from "./errors.js";

/** What every resolver receives. Built per request; `tenantId` is always the principal's. */
export interface Context {
  principal: Principal;
  tenantId: string;
  requestId: string;
  loaders: Loaders;
}

/**
 * Per-request DataLoader registry. Each area defines its own loaders (this file does not know
 * them) and gets the request's instance by key, so batching and caching never cross requests
 * or tenants. Prefer `defineLoader` below over calling `get` with ad-hoc keys.
 */
export interface Loaders {
  readonly tenantId: string;
  get<K, V, C = K>(key: string, factory: () => DataLoader<K, V, C>): DataLoader<K, V, C>;
}

export function createLoaders(tenantId: string): Loaders {
  const made = new Map<string, DataLoader<unknown, unknown, unknown>>();
  return {
    tenantId,
    get<K, V, C = K>(key: string, factory: () => DataLoader<K, V, C>): DataLoader<K, V, C> {
      let loader = made.get(key) as DataLoader<K, V, C> | undefined;
      if (!loader) {
        loader = factory();
        made.set(key, loader as DataLoader<unknown, unknown, unknown>);
      }
      return loader;
    },
  };
}

const loaderNames = new Set<string>();

/**
 * Declares a loader once, at module level, and returns an accessor for the current request:
 *
 *   const memberById = defineLoader("member.byId", (tenantId) =>
 *     new DataLoader<string, Member | null>((ids) => getMembers(tenantId, ids)));
 *   // in a resolver: memberById(ctx).load(id)
 *
 * The factory receives the request's tenant id, so a loader can only read that tenant.
 * Names must be unique across modules (checked here).
 */
export function defineLoader<K, V, C = K>(
  name: string,
  create: (tenantId: string) => DataLoader<K, V, C>,
): (ctx: Pick<Context, "loaders">) => DataLoader<K, V, C> {
  if (loaderNames.has(name)) throw new Error(`A DataLoader named "${name}" is already defined`);
  loaderNames.add(name);
  return (ctx) => ctx.loaders.get(name, () => create(ctx.loaders.tenantId));
}

export interface ContextInput {
  /** The raw `Authorization` header, if any. */
  authorization?: string | null;
  requestId: string;
}

/**
 * Authenticates the request and builds its context. Authentication failures become request
 * errors with the DomainError's code and an HTTP status (401, or 503 for RETRYABLE).
 */
export async function buildContext({ authorization, requestId }: ContextInput): Promise<Context> {
  let principal: Principal;
  try {
    principal = await authenticate(authorization);
    rateLimiter().admit(principal);
  } catch (error) {
    if (error instanceof DomainError) throw requestFailure(error);
    throw error;
  }
  return { principal, tenantId: principal.tenantId, requestId, loaders: createLoaders(principal.tenantId) };
}
