// Where the login-pipeline stacks keep their state (`pulumi login s3://...`) and the KMS key that
// encrypts their secrets (`--secrets-provider awskms://alias/...`), so CD needs no Pulumi token.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface StateBackend {
  bucket: aws.s3.Bucket;
  key: aws.kms.Key;
  backendUrl: pulumi.Output<string>;
  secretsProvider: pulumi.Output<string>;
}

export function createStateBackend(prefix: string, region: string, accountId: pulumi.Input<string>): StateBackend {
  const key = new aws.kms.Key(`${prefix}-pulumi`, {
    description: `${prefix}: encrypts Pulumi state and stack secrets`,
    enableKeyRotation: true,
    deletionWindowInDays: 30,
  });
  const alias = new aws.kms.Alias(`${prefix}-pulumi`, { name: `alias/${prefix}-pulumi`, targetKeyId: key.keyId });

  const bucket = new aws.s3.Bucket(`${prefix}-pulumi-state`, {
    bucket: pulumi.interpolate`${prefix}-pulumi-state-${accountId}`,
    forceDestroy: false,
  });
  new aws.s3.BucketVersioning(`${prefix}-pulumi-state`, {
    bucket: bucket.id,
    versioningConfiguration: { status: 'Enabled' },
  });
  new aws.s3.BucketServerSideEncryptionConfiguration(`${prefix}-pulumi-state`, {
    bucket: bucket.id,
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }],
  });
  new aws.s3.BucketPublicAccessBlock(`${prefix}-pulumi-state`, {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new aws.s3.BucketPolicy(`${prefix}-pulumi-state`, {
    bucket: bucket.id,
    policy: pulumi.jsonStringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    }),
  });

  return {
    bucket,
    key,
    backendUrl: pulumi.interpolate`s3://${bucket.bucket}?region=${region}`,
    secretsProvider: pulumi.interpolate`awskms://${alias.name}?region=${region}`,
  };
}
