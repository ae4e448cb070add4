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

/**
 * A CLI's parsed arguments, or its exit code when there is nothing to run: 0 after printing the
 * usage for `--help`, 2 after naming what is wrong with the command line (parsers return "help"
 * or an error message instead of the arguments).
 */
export function argsOrExit<T extends object>(args: T | string, usage: string, io: { out: (line: string) => void; err: (line: string) => void }): T | 0 | 2 {
  if (args === "help") {
    io.out(usage);
    return 0;
  }
  if (typeof args === "string") {
    io.err(`error: ${args}\n${usage}`);
    return 2;
  }
  return args;
}
