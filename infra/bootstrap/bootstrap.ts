// The bootstrap stack, top to bottom: who GitHub is (the OIDC provider), where stacks keep state,
// and which role each environment's workflows may assume.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { BootstrapConfig } from './config.js';
import { createEnvironmentRoles } from './deploy-roles.js';
import { githubOidcProvider } from './github-oidc.js';
import { createStateBackend } from './state-backend.js';

export interface BootstrapOutputs {
  oidcProviderArn: pulumi.Output<string>;
  /** GitHub environment variable AWS_DEPLOY_ROLE_ARN, per environment. */
  deployRoleArns: pulumi.Output<Record<string, string>>;
  /** Repository variables AWS_PREVIEW_ROLE_ARN_<ENV>. */
  previewRoleArns: pulumi.Output<Record<string, string>>;
  /** Variable PULUMI_BACKEND_URL. */
  pulumiBackendUrl: pulumi.Output<string>;
  /** `pulumi stack init <env> --secrets-provider <this>`. */
  secretsProvider: pulumi.Output<string>;
}

export function createBootstrap(config: BootstrapConfig): BootstrapOutputs {
  const accountId = aws.getCallerIdentityOutput().accountId;
  const oidcProviderArn = githubOidcProvider(`${config.stackPrefix}-github`, config.existingOidcProviderArn);
  const state = createStateBackend(config.stackPrefix, config.region, accountId);
  const roles = Object.fromEntries(
    config.environments.map((environment) => [environment, createEnvironmentRoles(config, environment, oidcProviderArn, accountId, state)]),
  );
  const arns = (pick: 'deploy' | 'preview') =>
    pulumi.all(Object.fromEntries(Object.entries(roles).map(([env, r]) => [env, r[pick].arn]))) as pulumi.Output<Record<string, string>>;
  return {
    oidcProviderArn,
    deployRoleArns: arns('deploy'),
    previewRoleArns: arns('preview'),
    pulumiBackendUrl: state.backendUrl,
    secretsProvider: state.secretsProvider,
  };
}
