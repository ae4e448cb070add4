import type { JobContext } from "./job.js";
import type { SegmentOutcome } from "./segment.js";

/** `workerData` of a job worker thread. */
export interface WorkerInit {
  /** Registry name of the job. */
  job: string;
  ctx: JobContext;
  totalSegments: number;
  pageLimit?: number;
}

export type WorkerRequest = { type: "segment"; segment: number };

export type WorkerReply =
  | { type: "page"; segment: number; page: { items: number; scanned: number } }
  | { type: "done"; outcome: SegmentOutcome }
  | { type: "error"; segment: number; error: { name: string; message: string; stack?: string } };
