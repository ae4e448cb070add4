import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";

/** True when the module at `moduleUrl` is the script node was started with (not an import from a test). */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return moduleUrl === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

/** A CLI's output on this process's terminal: lines to stdout and stderr, and whether stderr is a TTY (progress bars). */
export function terminalIo(): { out: (line: string) => void; err: (line: string) => void; isTTY: boolean } {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    isTTY: Boolean(process.stderr.isTTY),
  };
}
