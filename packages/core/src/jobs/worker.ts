/**
 * Entry of a job worker thread (started by `runJob`): loads the job by name from the registry
 * and runs the segments the parent sends, one at a time, replying with progress and outcomes.
 */
import { parentPort, workerData } from "node:worker_threads";
import { getJob } from "./registry.js";
import { runSegment } from "./segment.js";
import type { WorkerInit, WorkerReply, WorkerRequest } from "./worker-protocol.js";

const port = parentPort;
if (!port) throw new Error("jobs/worker.ts is a worker thread entry; use runJob");
const init = workerData as WorkerInit;
const job = getJob(init.job);
const reply = (message: WorkerReply) => port.postMessage(message);

port.on("message", (message: WorkerRequest) => {
  if (message.type !== "segment") return;
  const { segment } = message;
  runSegment(job, init.ctx, segment, init.totalSegments, {
    pageLimit: init.pageLimit,
    onPage: (page) => reply({ type: "page", segment, page }),
  }).then(
    (outcome) => reply({ type: "done", outcome }),
    (error: unknown) => {
      const e = error instanceof Error ? error : new Error(String(error));
      reply({ type: "error", segment, error: { name: e.name, message: e.message, stack: e.stack } });
    },
  );
});
