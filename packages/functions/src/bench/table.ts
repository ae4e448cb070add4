import type { BenchRow } from "./measure.js";

const seconds = (ms: number) => (ms / 1000).toFixed(2);

/** The benchmark's figures as a Markdown table (readable in a terminal, pasteable in the README). */
export function formatTable(rows: readonly BenchRow[]): string {
  const header = ["dataset", "job", "segments", "items", "scan s", "job s", "job ÷ scan", "job: scan phase s", "job: finish+write s", "peak RSS MB (scan / job)", "job heap MB"];
  const body = rows.map((r) => [
    r.dataset,
    r.job,
    String(r.segments),
    r.items.toLocaleString("en-US"),
    seconds(r.scanMs),
    seconds(r.jobMs),
    r.ratio.toFixed(2),
    seconds(r.jobScanPhaseMs),
    seconds(r.jobFinishPhaseMs),
    `${r.scanPeakRssMb} / ${r.jobPeakRssMb}`,
    String(r.jobPeakHeapMb),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i >= 2 ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(header), rule, ...body.map(line)].join("\n");
}
