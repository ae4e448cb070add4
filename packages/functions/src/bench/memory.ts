import { Worker } from "node:worker_threads";

/**
 * Peak memory over a phase. RSS is sampled from a worker thread (process-wide, and it keeps
 * sampling while the main thread is busy in a job's synchronous finish, which a timer on the
 * main thread would miss); RSS includes the job's worker threads. Heap used is the main
 * isolate's only, sampled on a main-thread timer: a lower bound while the thread is busy.
 */
export interface MemoryPeak {
  rssMb: number;
  heapUsedMb: number;
}

const SAMPLER = `
const { parentPort } = require("node:worker_threads");
let peak = process.memoryUsage.rss();
const timer = setInterval(() => { const r = process.memoryUsage.rss(); if (r > peak) peak = r; }, 10);
parentPort.on("message", (m) => {
  const r = process.memoryUsage.rss(); if (r > peak) peak = r;
  parentPort.postMessage(peak);
  if (m === "stop") { clearInterval(timer); parentPort.close(); } else peak = r;
});`;

const mb = (bytes: number) => Math.round(bytes / (1 << 20));

export class MemorySampler {
  private readonly worker = new Worker(SAMPLER, { eval: true });
  private heapPeak = 0;
  private readonly timer = setInterval(() => this.sampleHeap(), 20);

  constructor() {
    this.worker.unref();
    this.timer.unref();
  }

  private sampleHeap(): void {
    const used = process.memoryUsage().heapUsed;
    if (used > this.heapPeak) this.heapPeak = used;
  }

  private ask(message: "reset" | "stop"): Promise<number> {
    return new Promise((resolve) => {
      this.worker.once("message", resolve);
      this.worker.postMessage(message);
    });
  }

  /** Starts a new phase: peaks from now on. */
  async reset(): Promise<void> {
    this.heapPeak = 0;
    this.sampleHeap();
    await this.ask("reset");
  }

  /** The peaks since the last reset; starts the next phase. */
  async peak(): Promise<MemoryPeak> {
    this.sampleHeap();
    const heap = this.heapPeak;
    const rss = await this.ask("reset");
    this.heapPeak = 0;
    return { rssMb: mb(rss), heapUsedMb: mb(heap) };
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.ask("stop");
    await this.worker.terminate();
  }
}
