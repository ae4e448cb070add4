// Run before `vitest run` so a missing Java fails in one line, not as a setup stack trace.
import { checkJava } from "./java.js";

const result = checkJava();
if (!result.ok) {
  process.stderr.write(`${result.message}\n`);
  process.exit(1);
}
