import { createHash as nodeCreateHash } from "node:crypto";

/**
 * Stands in for `@apollo/utils.createhash` in the Lambda bundle (bundle/options.ts): Apollo
 * hashes each request's document with it, and Node's own hash is what it means to use.
 */
export const createHash = (kind: string) => nodeCreateHash(kind);
