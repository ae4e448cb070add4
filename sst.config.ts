import type { SSTConfig } from "sst";
import { Api } from "./stacks/Api.js";
import { Database } from "./stacks/Database.js";
import { Jobs } from "./stacks/Jobs.js";
import { applyAppDefaults } from "./stacks/defaults.js";

/**
 * SST v2 app. `sst deploy --stage <stage>`; the region defaults to ap-southeast-1 and can be
 * overridden with AWS_REGION (or `sst deploy --region`).
 */
export default {
  config(_input) {
    return {
      name: "private-domain-growth",
      region: process.env.AWS_REGION || "ap-southeast-1",
    };
  },
  stacks(app) {
    applyAppDefaults(app);
    app.stack(Database).stack(Api).stack(Jobs);
  },
} satisfies SSTConfig;
