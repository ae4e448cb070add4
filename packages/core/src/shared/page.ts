import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "./config.js";
import { ValidationError } from "./errors.js";

/** A page of a list, newest first, with the cursor to continue after its last item. */
export interface Page<T> {
  items: T[];
  /** Cursor of each item, same order as `items` (Relay edges). */
  cursors: string[];
  endCursor: string | null;
  hasNextPage: boolean;
}

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new ValidationError(`first must be between 1 and ${MAX_PAGE_SIZE}`, "first");
  }
  return first;
}
