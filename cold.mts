import { measureColdStart } from "./packages/functions/src/bench/api-cold.js";
import { signLocalToken } from "./packages/functions/src/graphql/auth.js";
const token = await signLocalToken({ tenant: "t-bench", role: "ADMIN", sub: "a" });
const r = await measureColdStart({ token, runs: Number(process.env.RUNS ?? 5) });
console.log(JSON.stringify({ ...r, largest: r.largest.slice(0, 6) }));
