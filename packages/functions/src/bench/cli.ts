import { argsOrExit } from "../cli/failure.js";
import { isMain, terminalIo } from "../cli/is-main.js";
import { API_USAGE, parseApiBenchArgs, runApiBench } from "./api.js";
import { JOBS_USAGE, parseJobsBenchArgs, runJobsBench } from "./jobs.js";

/**
 * `npm run bench -- <benchmark> [options]`. One entry per benchmark, chosen by the first
 * argument: `jobs` (scan jobs against a raw scan), `api` (the GraphQL API against direct DynamoDB calls).
 * Exit codes: 0 done; 2 bad arguments; 3 the benchmark failed.
 */
interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
}

const BENCHMARKS: Record<string, { usage: string; run: (argv: string[], io: Output) => Promise<number> }> = {
  jobs: {
    usage: JOBS_USAGE,
    async run(argv, io) {
      const args = argsOrExit(parseJobsBenchArgs(argv), JOBS_USAGE, io);
      if (typeof args === "number") return args;
      await runJobsBench(args, io);
      return 0;
    },
  },
  api: {
    usage: API_USAGE,
    async run(argv, io) {
      const args = argsOrExit(parseApiBenchArgs(argv), API_USAGE, io);
      if (typeof args === "number") return args;
      const report = await runApiBench(args, io);
      // A soak is a test: errors or memory growth fail it (npm run test:load).
      return report.soak && !report.soak.passed ? 1 : 0;
    },
  },
};

export const BENCH_USAGE = ["usage: npm run bench -- <benchmark> [options]", ...Object.values(BENCHMARKS).map((b) => `  ${b.usage.replace(/^usage: /, "")}`)].join("\n");

export async function run(argv: string[], io: Output): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h") {
    io.out(BENCH_USAGE);
    return name ? 0 : 2;
  }
  const bench = BENCHMARKS[name];
  if (!bench) {
    io.err(`error: unknown benchmark "${name}"\n${BENCH_USAGE}`);
    return 2;
  }
  try {
    return await bench.run(rest, io);
  } catch (error) {
    io.err(`error: ${(error as Error).stack ?? String(error)}`);
    return 3;
  }
}

if (isMain(import.meta.url)) {
  process.exitCode = await run(process.argv.slice(2), terminalIo());
}
