import type { App } from "sst/constructs";

/** Stages whose data must survive `sst remove` and accidental deletes. */
export function isProductionStage(stage: string): boolean {
  return stage === "prod";
}

/**
 * App-wide defaults. Kept here (not inline in `sst.config.ts`) so the offline synthesis test
 * applies exactly the same defaults as `sst deploy`.
 */
export function applyAppDefaults(app: App): void {
  // Ephemeral stages (personal, PR, test) clean up after themselves; prod keeps everything.
  app.setDefaultRemovalPolicy(isProductionStage(app.stage) ? "retain" : "destroy");
  app.setDefaultFunctionProps({
    runtime: "nodejs20.x",
    architecture: "arm_64",
  });
}
