import { GetParametersCommand, SSMClient } from "@aws-sdk/client-ssm";

/**
 * An SST v2 secret bound to this function, read from SSM once per container. SST marks a bound
 * secret with `SST_Secret_value_<NAME>=__FETCH_FROM_SSM__` and stores it at
 * `<SST_SSM_PREFIX>Secret/<NAME>/value`, falling back to `/sst/<app>/.fallback/Secret/<NAME>/value`
 * (`sst secrets set --fallback`). This is what `sst/node/config` does, with our own SSM client:
 * sst's pins an older SDK whose credential and STS/SSO clients would be bundled a second time
 * (~0.35 MB of the Lambda bundle, docs/performance.md).
 */
export async function sstSecret(name: string, env: NodeJS.ProcessEnv = process.env, client?: SSMClient): Promise<string | undefined> {
  const marker = env[`SST_Secret_value_${name}`];
  if (marker !== "__FETCH_FROM_SSM__") return marker;
  const ssm = client ?? new SSMClient({ region: env.SST_REGION });
  try {
    const paths = [`${env.SST_SSM_PREFIX ?? ""}Secret/${name}/value`, `/sst/${env.SST_APP}/.fallback/Secret/${name}/value`];
    for (const path of paths) {
      const out = await ssm.send(new GetParametersCommand({ Names: [path], WithDecryption: true }));
      const value = out.Parameters?.[0]?.Value;
      if (value !== undefined) return value;
    }
    throw new Error(`secret ${name} is not set for this stage: run "npx sst secrets set ${name} <value> --stage ${env.SST_STAGE ?? "<stage>"}"`);
  } finally {
    if (!client) ssm.destroy();
  }
}
