// The bootstrap stack's configuration, read and checked once. The repository and environment names
// end up verbatim in IAM trust policies, so anything that could widen them (wildcards, odd
// characters) is refused here.
import * as pulumi from '@pulumi/pulumi';

export interface BootstrapConfig {
  /** `owner/name` of the GitHub repository allowed to assume the roles. */
  githubRepository: string;
  /** GitHub environments, which are also the Pulumi stack names of the main program. */
  environments: string[];
  /** Prefix of every physical name the main program creates (`login-pipeline-<stack>-...`). */
  stackPrefix: string;
  region: string;
  /** Reuse the account's GitHub OIDC provider instead of creating one. */
  existingOidcProviderArn: string | undefined;
}

export class BootstrapConfigError extends Error {
  override readonly name = 'BootstrapConfigError';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`login-pipeline-bootstrap:${key}: ${message}`);
  }
}

const REPOSITORY = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;
const ENVIRONMENT = /^[a-z][a-z0-9-]{0,30}$/;

export function validateBootstrapConfig(raw: {
  githubRepository: string | undefined;
  environments: unknown;
  region: string | undefined;
  existingOidcProviderArn?: string | undefined;
  stackPrefix?: string | undefined;
}): BootstrapConfig {
  const repository = raw.githubRepository?.trim() ?? '';
  if (!REPOSITORY.test(repository) || repository === 'OWNER/REPO') {
    throw new BootstrapConfigError('githubRepository', `must be the real owner/name of the repository, got "${repository}"`);
  }
  const environments = raw.environments ?? ['dev', 'prod'];
  if (!Array.isArray(environments) || environments.length === 0 || !environments.every((e) => typeof e === 'string' && ENVIRONMENT.test(e))) {
    throw new BootstrapConfigError('environments', 'must be a non-empty list of lower-case environment names');
  }
  if (new Set(environments).size !== environments.length) throw new BootstrapConfigError('environments', 'lists an environment twice');
  const region = raw.region?.trim();
  if (!region) throw new BootstrapConfigError('aws:region', 'is required');
  const existing = raw.existingOidcProviderArn?.trim();
  if (existing && !/^arn:aws[\w-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/.test(existing)) {
    throw new BootstrapConfigError('existingOidcProviderArn', 'must be the ARN of the token.actions.githubusercontent.com provider');
  }
  return {
    githubRepository: repository,
    environments: environments as string[],
    stackPrefix: raw.stackPrefix ?? 'login-pipeline',
    region,
    existingOidcProviderArn: existing || undefined,
  };
}

export function loadBootstrapConfig(): BootstrapConfig {
  const config = new pulumi.Config();
  return validateBootstrapConfig({
    githubRepository: config.get('githubRepository'),
    environments: config.getObject<unknown>('environments'),
    region: new pulumi.Config('aws').get('region'),
    existingOidcProviderArn: config.get('existingOidcProviderArn'),
  });
}
