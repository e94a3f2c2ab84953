// The image repository. Tags are immutable, so the commit SHA in stack config always names the same
// bytes; every push is scanned; old images expire so the repository does not grow without bound.
import * as aws from '@pulumi/aws';
import type { StackConfig } from './config.js';

/** Tagged images kept; older ones expire. Enough to roll back well past any recent deploy. */
export const TAGGED_IMAGES_KEPT = 50;

export function createRegistry(config: StackConfig): aws.ecr.Repository {
  const { prefix } = config;

  const repository = new aws.ecr.Repository(`${prefix}-consumer`, {
    name: `${prefix}/consumer`,
    imageTagMutability: 'IMMUTABLE',
    imageScanningConfiguration: { scanOnPush: true },
    encryptionConfigurations: [{ encryptionType: 'AES256' }],
  });

  new aws.ecr.LifecyclePolicy(`${prefix}-consumer-lifecycle`, {
    repository: repository.name,
    policy: JSON.stringify({
      rules: [
        {
          rulePriority: 1,
          description: 'expire untagged images (failed or superseded pushes) after 7 days',
          selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 },
          action: { type: 'expire' },
        },
        {
          rulePriority: 2,
          description: `keep the ${TAGGED_IMAGES_KEPT} most recent tagged images`,
          selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: TAGGED_IMAGES_KEPT },
          action: { type: 'expire' },
        },
      ],
    }),
  });

  return repository;
}
