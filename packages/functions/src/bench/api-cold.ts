import { graphqlLambdaBuildOptions } from "../graphql/bundle/options.js";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

/**
 * Cold start of the GraphQL Lambda: bundled as `stacks/Api.ts` has SST build it (esbuild, ESM,
 * minified, `.graphql` as text, SST's ESM banner, keepNames, source map beside it), then
 * imported and asked one request in fresh Node processes. The request is `{ __typename }`
 * with a valid token: authentication, parsing, validation and execution, no DynamoDB.
 */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");

export interface ColdStart {
  bundleBytes: number;
  sourceMapBytes: number;
  buildMs: number;
  runs: number;
  /** Medians over the runs: Node's own start until the script runs, importing the bundle, the first request, and import + first request. */
  nodeBootMs: number;
  importMs: number;
  firstRequestMs: number;
  coldStartMs: number;
  /** A second request in the same process (warm). */
  secondRequestMs: number;
  /** CPU time (user + system) of import + first request: what a loaded machine's wall time inflates. */
  coldStartCpuMs: number;
  /** The bundle's largest contributors (esbuild metafile), KB by package or source folder. */
  largest: { what: string; kb: number }[];
}

/** Bytes in the bundle by npm package (nested copies apart) or by source folder. */
function contributors(inputs: Record<string, { bytesInOutput: number }>): { what: string; kb: number }[] {
  const by = new Map<string, number>();
  for (const [path, input] of Object.entries(inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(path) ?? /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    const what = path.includes("node_modules") ? (m?.[1] ?? path) : path.split("/").slice(0, 4).join("/");
    by.set(what, (by.get(what) ?? 0) + input.bytesInOutput);
  }
  return [...by].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([what, bytes]) => ({ what, kb: Math.round(bytes / 1024) }));
}

const PROBE = `
const started = performance.now();
const [bundle, token] = process.argv.slice(2);
const event = (id) => ({ version: "2.0", routeKey: "POST /graphql", rawPath: "/graphql", rawQueryString: "", headers: { "content-type": "application/json", authorization: "Bearer " + token }, requestContext: { http: { method: "POST", path: "/graphql", protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "bench" }, requestId: id, routeKey: "POST /graphql", stage: "$default", timeEpoch: Date.now() }, body: JSON.stringify({ query: "{ __typename }" }), isBase64Encoded: false });
const context = (id) => ({ awsRequestId: id, functionName: "bench", getRemainingTimeInMillis: () => 29000 });
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const t0 = performance.now();
const c0 = cpu();
const mod = await import(bundle);
const t1 = performance.now();
const c1 = cpu();
const first = await mod.handler(event("r1"), context("r1"));
const t2 = performance.now();
const c2 = cpu();
const second = await mod.handler(event("r2"), context("r2"));
const t3 = performance.now();
if (first.statusCode !== 200 || !String(first.body).includes("__typename")) { console.error(JSON.stringify(first)); process.exit(1); }
process.stdout.write(JSON.stringify({ boot: started, import: t1 - t0, first: t2 - t1, second: t3 - t2, cpu: c2 - c0 }));
process.exit(0);
`;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const round = (n: number) => Math.round(n * 10) / 10;

export async function measureColdStart(opts: { token: string; runs?: number; env?: Record<string, string> }): Promise<ColdStart> {
  const dir = mkdtempSync(join(tmpdir(), "bench-cold-"));
  try {
    const outfile = join(dir, "lambda.mjs");
    const started = performance.now();
    const built = await build(graphqlLambdaBuildOptions(REPO_ROOT, outfile));
    const buildMs = Math.round(performance.now() - started);
    const probe = join(dir, "probe.mjs");
    writeFileSync(probe, PROBE);
    const runs = opts.runs ?? 5;
    const results: { boot: number; import: number; first: number; second: number; cpu: number }[] = [];
    for (let i = 0; i < runs; i++) {
      const out = await new Promise<string>((resolvePromise, reject) =>
        execFile(process.execPath, [probe, pathToFileURL(outfile).href, opts.token], {
          // As the stack sets it; the schema ships beside the bundle there (SCHEMA_DIR here).
          env: { PATH: process.env.PATH ?? "", NODE_OPTIONS: "--enable-source-maps", SCHEMA_DIR: join(REPO_ROOT, "schema"), TABLE_NAME: "bench-cold", AWS_REGION: "local", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...opts.env },
          timeout: 60_000,
        }, (error, stdout, stderr) => (error ? reject(new Error(`cold start probe failed: ${stderr || error.message}`)) : resolvePromise(stdout))),
      );
      results.push(JSON.parse(out) as (typeof results)[number]);
    }
    const imports = results.map((r) => r.import);
    const firsts = results.map((r) => r.first);
    return {
      bundleBytes: statSync(outfile).size,
      sourceMapBytes: statSync(`${outfile}.map`).size,
      buildMs,
      runs,
      nodeBootMs: round(median(results.map((r) => r.boot))),
      importMs: round(median(imports)),
      firstRequestMs: round(median(firsts)),
      coldStartMs: round(median(results.map((r) => r.import + r.first))),
      secondRequestMs: round(median(results.map((r) => r.second))),
      coldStartCpuMs: round(median(results.map((r) => r.cpu))),
      largest: contributors(Object.values(built.metafile.outputs).find((o) => o.entryPoint)?.inputs ?? {}),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
