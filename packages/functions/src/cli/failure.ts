import { DomainError } from "@growth/core/shared";
import { DatabaseConfigError } from "../local/database.js";

/**
 * The exit code and message of a CLI run that threw: 2 for what the user must change (a
 * database setting, input the domain refused), 3 for a failure a rerun can finish, with the
 * command's own hint on how rerunning behaves.
 */
export function failureExit(error: unknown, io: { err: (line: string) => void }, rerunHint: string): 2 | 3 {
  if (error instanceof DatabaseConfigError || (error instanceof DomainError && error.code !== "RETRYABLE")) {
    io.err(`error: ${error.message}`);
    return 2;
  }
  io.err(`error: ${(error as Error).message ?? String(error)}`);
  io.err(rerunHint);
  return 3;
}
