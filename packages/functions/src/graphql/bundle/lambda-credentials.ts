import { fromEnv } from "@aws-sdk/credential-provider-env";

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundle (bundle/options.ts).
 * The Lambda runtime sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN to the
 * function role's credentials, the first place the SDK's default chain looks; the rest of the
 * chain (SSO, web identity, INI files, the metadata service) is for other hosts.
 */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]): ReturnType<typeof fromEnv> => fromEnv(init);
