import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterEach, describe, expect, it } from "vitest";
import { startDynamoLocal, type DynamoLocal } from "./dynamo-local.js";
import { ensureTable } from "./ensure-table.js";
import { checkJava, parseJavaMajor } from "./java.js";

const TABLE = "dynamo-local-test";
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function started(opts: Parameters<typeof startDynamoLocal>[0] = {}): Promise<DynamoLocal> {
  const local = await startDynamoLocal(opts);
  cleanups.push(() => local.stop());
  return local;
}

function clientFor(endpoint: string): DynamoDBClient {
  const client = new DynamoDBClient({
    endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  cleanups.push(() => client.destroy());
  return client;
}

const item = { pk: { S: "T#x#M#1" }, sk: { S: "MEMBER" }, name: { S: "Li Lei" } };
const key = { pk: item.pk, sk: item.sk };

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("startDynamoLocal", () => {
  it("serves a table on a free port and stops", async () => {
    const local = await started();
    expect(local.endpoint).toBe(`http://127.0.0.1:${local.port}`);
    const client = clientFor(local.endpoint);

    expect(await ensureTable(client, TABLE)).toBe("created");
    expect(await ensureTable(client, TABLE)).toBe("exists");
    await client.send(new PutItemCommand({ TableName: TABLE, Item: item }));
    const got = await client.send(new GetItemCommand({ TableName: TABLE, Key: key }));
    expect(got.Item).toEqual(item);

    await local.stop();
    expect(await accepts(local.port)).toBe(false);
  });

  it("keeps data in dataDir across restarts", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "dynamo-local-"));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));

    const first = await started({ dataDir });
    const firstClient = clientFor(first.endpoint);
    await ensureTable(firstClient, TABLE);
    await firstClient.send(new PutItemCommand({ TableName: TABLE, Item: item }));
    await first.stop();

    const second = await started({ dataDir });
    const secondClient = clientFor(second.endpoint);
    expect(await ensureTable(secondClient, TABLE)).toBe("exists");
    const got = await secondClient.send(new GetItemCommand({ TableName: TABLE, Key: key }));
    expect(got.Item).toEqual(item);
  });

  it("refuses a fixed port that is already taken, in one sentence", async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;

    await expect(startDynamoLocal({ port })).rejects.toThrow(
      `port ${port} is in use: another DynamoDB Local? set DYNAMO_PORT or stop it`,
    );
  });

  it("does not outlive a SIGKILLed parent", async () => {
    const root = fileURLToPath(new URL("../../../../", import.meta.url));
    const fixture = fileURLToPath(new URL("../test/fixtures/start-dynamo-local.ts", import.meta.url));
    // `node --import tsx` rather than the tsx CLI: the CLI runs the script in a second node
    // process, and SIGKILL on the CLI would leave that one (and so Java) running.
    const child = spawn(process.execPath, ["--import", "tsx", fixture], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    cleanups.push(() => void child.kill("SIGKILL"));

    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        out += chunk;
        const match = /^(\d+)\n/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      child.once("exit", (code) => reject(new Error(`fixture exited (${code}) before printing a port:\n${stderr}`)));
    });
    expect(await accepts(port)).toBe(true);

    child.kill("SIGKILL");
    const deadline = Date.now() + 10_000;
    while ((await accepts(port)) && Date.now() < deadline) await sleep(200);
    expect(await accepts(port)).toBe(false);
  });
});

describe("checkJava", () => {
  it("reports a missing java in one line", () => {
    const emptyDir = mkdtempSync(join(tmpdir(), "no-java-"));
    cleanups.push(() => rmSync(emptyDir, { recursive: true, force: true }));

    const result = checkJava({ PATH: emptyDir });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toMatch(/^Java 17\+ is required to run DynamoDB Local: install it .* and try again\.$/);
    expect(result.message).not.toContain("\n");
  });

  it("accepts the installed java", () => {
    expect(checkJava()).toEqual({ ok: true });
  });

  it("reads old and new version strings", () => {
    expect(parseJavaMajor('java version "1.8.0_381"')).toBe(8);
    expect(parseJavaMajor('openjdk version "11.0.2" 2019-01-15')).toBe(11);
    expect(parseJavaMajor('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(parseJavaMajor('openjdk version "21" 2023-09-19')).toBe(21);
  });
});
