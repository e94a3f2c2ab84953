// GitHub's OIDC identity provider and the trust policies that let one repository's workflows, and
// only in the stated contexts, assume a role. The `sub` claim is matched exactly (StringEquals):
// a deploy job's subject is `repo:<owner>/<name>:environment:<env>`, a pull request's is
// `repo:<owner>/<name>:pull_request`.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
export const STS_AUDIENCE = 'sts.amazonaws.com';
// AWS validates GitHub's certificate itself now; the thumbprints are kept for older tooling.
const GITHUB_THUMBPRINTS = ['6938fd4d98bab03faadb97b34396831e3780aea1', '1c58a3a8518e8759bf075b76b750d4f2df264fcd'];

export function githubOidcProvider(name: string, existingArn: string | undefined): pulumi.Output<string> {
  if (existingArn) return pulumi.output(existingArn);
  return new aws.iam.OpenIdConnectProvider(name, {
    url: `https://${GITHUB_OIDC_HOST}`,
    clientIdLists: [STS_AUDIENCE],
    thumbprintLists: GITHUB_THUMBPRINTS,
  }).arn;
}

export const environmentSubject = (repository: string, environment: string) => `repo:${repository}:environment:${environment}`;
export const pullRequestSubject = (repository: string) => `repo:${repository}:pull_request`;

/** Trust policy for exactly these subjects, with the STS audience. */
export function githubTrustPolicy(providerArn: pulumi.Input<string>, subjects: string[]): pulumi.Output<string> {
  if (subjects.length === 0 || subjects.some((s) => /[*?]/.test(s))) {
    throw new Error('GitHub trust policies name their subjects exactly, without wildcards');
  }
  return pulumi.jsonStringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: STS_AUDIENCE,
            [`${GITHUB_OIDC_HOST}:sub`]: subjects.length === 1 ? subjects[0] : subjects,
          },
        },
      },
    ],
  });
}
