import type { ApiBenchReport } from "./api.js";

/** Markdown tables (readable in a terminal, pasteable in the README). Numeric columns right-aligned. */
function table(header: string[], rows: string[][], leftColumns = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i >= leftColumns ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i >= leftColumns ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

const ms = (n: number) => n.toFixed(1);
const yes = (ok: boolean | undefined) => (ok === undefined ? "n/a" : ok ? "met" : "NOT met");

export function formatApiTables(r: ApiBenchReport): string {
  const parts: string[] = [];
  if (r.soak) {
    const s = r.soak;
    parts.push(
      table(
        ["soak", "seconds", "concurrency", "requests", "req/s", "errors", "p50 ms", "p99 ms", "server RSS MB start → end"],
        [["mix", String(s.seconds), String(s.concurrency), String(s.requests), s.rps.toFixed(1), String(s.errors), String(s.latencyP50), String(s.latencyP99), `${s.serverRssStartMb} → ${s.serverRssEndMb}`]],
      ),
    );
    if (s.firstErrors.length > 0) parts.push(`first errors:\n${s.firstErrors.join("\n")}`);
    parts.push(`load average ${r.machine.loadAverageAtStart.join(" ")} → ${r.machine.loadAverageAtEnd.join(" ")} on ${r.machine.cpus} CPUs`);
    return parts.join("\n\n");
  }
  parts.push(
    table(
      ["operation", "DynamoDB requests (API / min / baseline)", "levels (API / min)", "API p50", "p95", "p99", "baseline p50", "p95", "p99", "p50 ratio", "CPU ms/req (server / baseline)"],
      r.ops.map((o) => [
        o.op,
        `${o.requests} / ${o.minimumRequests} / ${o.baselineRequests}`,
        `${o.levels} / ${o.minimumLevels}`,
        ms(o.api.p50),
        ms(o.api.p95),
        ms(o.api.p99),
        ms(o.baseline.p50),
        ms(o.baseline.p95),
        ms(o.baseline.p99),
        o.ratio.toFixed(2),
        `${o.serverCpuMs.toFixed(2)} / ${o.baselineCpuMs.toFixed(2)}`,
      ]),
    ),
  );
  if (r.ops.some((o) => o.handler)) {
    parts.push(
      table(
        ["in process: the Lambda handler, no HTTP", "handler p50", "p95", "p99", "baseline p50", "p95", "p99", "p50 ratio", "errors"],
        r.ops.flatMap((o) => (o.handler ? [[o.op, ms(o.handler.api.p50), ms(o.handler.api.p95), ms(o.handler.api.p99), ms(o.handler.baseline.p50), ms(o.handler.baseline.p95), ms(o.handler.baseline.p99), o.handler.ratio.toFixed(2), String(o.handler.errors)]] : [])),
      ),
    );
  }
  if (r.stackFloor) parts.push(`stack floor, no DynamoDB ({ __typename } over HTTP with a token): p50 ${ms(r.stackFloor.p50)} ms, p95 ${ms(r.stackFloor.p95)}, p99 ${ms(r.stackFloor.p99)}; server CPU ${ms(r.stackFloor.serverCpuMs)} ms per request`);
  if (r.httpFloor) parts.push(`under it, bare loopback HTTP to another Node process (node:http, fixed answer): p50 ${ms(r.httpFloor.p50)} ms, p95 ${ms(r.httpFloor.p95)}, p99 ${ms(r.httpFloor.p99)}; server CPU ${ms(r.httpFloor.serverCpuMs)} ms per request`);
  if (r.throughput.length > 0) {
    parts.push(
      table(
        ["concurrency", "API req/s", "API errors", "API p50 ms", "API p99 ms", "raw DynamoDB calls/s", "raw errors", "API ÷ raw"],
        r.throughput.map((t) => [String(t.concurrency), t.apiRps.toFixed(1), String(t.apiErrors), String(t.apiLatencyP50), String(t.apiLatencyP99), t.rawRps.toFixed(1), String(t.rawErrors), t.ratio.toFixed(2)]),
      ),
    );
  }
  if (r.cold) {
    const c = r.cold;
    parts.push(
      table(
        ["Lambda bundle", "MB (map)", "node boot ms", "import ms", "first request ms", "cold start ms (import + first)", "its CPU ms", "second request ms"],
        [["graphql/lambda.ts", `${(c.bundleBytes / 1e6).toFixed(2)} (${(c.sourceMapBytes / 1e6).toFixed(1)})`, ms(c.nodeBootMs), ms(c.importMs), ms(c.firstRequestMs), ms(c.coldStartMs), ms(c.coldStartCpuMs), ms(c.secondRequestMs)]],
      ),
    );
    parts.push(`largest in the bundle (KB): ${c.largest.map((l) => `${l.what} ${l.kb}`).join(", ")}`);
  }
  const t = r.targets;
  parts.push(
    [
      `targets: requests at the minimum ${yes(t.requestsAtMinimum)}; p50 ≤ 1.3 × baseline ${yes(t.p50Within130)}; throughput at 16 ≥ 70% of raw ${yes(t.throughputAt16Within70)}; bundle ≤ 1.5 MB ${yes(t.bundleUnder1_5MB)}; cold start ≤ 300 ms ${yes(t.coldStartUnder300ms)}`,
      `load average ${r.machine.loadAverageAtStart.join(" ")} → ${r.machine.loadAverageAtEnd.join(" ")} on ${r.machine.cpus} CPUs (a shared machine: figures are noisy)`,
    ].join("\n"),
  );
  return parts.join("\n\n");
}
