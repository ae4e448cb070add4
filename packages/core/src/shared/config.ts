/**
 * Process-wide settings from the environment. Development defaults exist only where being
 * wrong is harmless locally; in a deployed stage (STAGE set and not "local") secrets must be
 * configured.
 */
const DEV_CURSOR_SECRET = "local-dev-cursor-secret-not-for-production";

export function isDeployed(): boolean {
  const stage = process.env.STAGE;
  return Boolean(stage) && stage !== "local" && stage !== "test";
}

export function cursorSecret(): string {
  const secret = process.env.CURSOR_SECRET;
  if (secret) return secret;
  if (isDeployed()) throw new Error("CURSOR_SECRET must be set in a deployed stage");
  return DEV_CURSOR_SECRET;
}

/** Largest page a list may return; `first` above it is an input error. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;
