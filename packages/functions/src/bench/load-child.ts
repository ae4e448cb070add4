import { loadDataset, type DatasetSpec } from "./datasets.js";

/** Child process of `loadDatasetInChild`: loads the dataset named in argv[2] and reports over IPC. */
const send = (message: unknown) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
try {
  const spec = JSON.parse(process.argv[2] ?? "{}") as DatasetSpec;
  const result = await loadDataset(spec, (line) => void send({ type: "log", line }));
  await send({ type: "done", result });
} catch (error) {
  await send({ type: "error", message: (error as Error).stack ?? String(error) });
  process.exitCode = 1;
}
process.disconnect?.();
