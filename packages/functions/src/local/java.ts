import { spawnSync } from "node:child_process";

/** DynamoDB Local 3.x is compiled for Java 17 (class file version 61). */
export const MIN_JAVA_MAJOR = 17;

const INSTALL_HINT =
  "install it (Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless; macOS: brew install openjdk@17) and try again.";

/** Parses `java -version` output: `version "17.0.15"`, `version "21"`, or the old `version "1.8.0_381"`. */
export function parseJavaMajor(output: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

/** Checks that a recent enough `java` is on PATH; `env` is injectable so tests can hide Java. */
export function checkJava(env: NodeJS.ProcessEnv = process.env): { ok: true } | { ok: false; message: string } {
  const result = spawnSync("java", ["-version"], { env, encoding: "utf8", timeout: 15_000 });
  if (result.error || result.status !== 0) {
    return { ok: false, message: `Java ${MIN_JAVA_MAJOR}+ is required to run DynamoDB Local: ${INSTALL_HINT}` };
  }
  // `java -version` writes to stderr; some wrappers use stdout.
  const major = parseJavaMajor(`${result.stderr}\n${result.stdout}`);
  if (major !== undefined && major < MIN_JAVA_MAJOR) {
    return {
      ok: false,
      message: `Java ${MIN_JAVA_MAJOR}+ is required to run DynamoDB Local (found Java ${major}): ${INSTALL_HINT}`,
    };
  }
  return { ok: true };
}
