// Scale on backlog per task: the queue's visible messages divided by the running tasks (metric math),
// held near a target. Queue depth alone would add tasks when one task is already keeping up.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { StackConfig } from './config.js';
import type { Queues } from './queue.js';
import type { ConsumerService } from './service.js';

export function createAutoscaling(config: StackConfig, queues: Queues, consumer: ConsumerService): aws.appautoscaling.Target {
  const { prefix, service: settings } = config;
  // A stack without an image runs no task, and must not be scaled up to pull an image that is not there.
  const hasImage = settings.imageTag !== undefined;

  const target = new aws.appautoscaling.Target(`${prefix}-consumer-scaling`, {
    serviceNamespace: 'ecs',
    scalableDimension: 'ecs:service:DesiredCount',
    resourceId: pulumi.interpolate`service/${consumer.cluster.name}/${consumer.service.name}`,
    minCapacity: hasImage ? settings.minTasks : 0,
    maxCapacity: hasImage ? settings.maxTasks : 0,
  });

  new aws.appautoscaling.Policy(`${prefix}-backlog-per-task`, {
    policyType: 'TargetTrackingScaling',
    serviceNamespace: target.serviceNamespace,
    scalableDimension: target.scalableDimension,
    resourceId: target.resourceId,
    targetTrackingScalingPolicyConfiguration: {
      targetValue: settings.backlogPerTask,
      scaleOutCooldown: 60,
      // Scale in slowly: a drained queue after a burst is not a reason to stop tasks at once.
      scaleInCooldown: 300,
      customizedMetricSpecification: {
        metrics: [
          {
            id: 'visible',
            label: 'visible messages',
            returnData: false,
            metricStat: {
              stat: 'Sum',
              metric: {
                namespace: 'AWS/SQS',
                metricName: 'ApproximateNumberOfMessagesVisible',
                dimensions: [{ name: 'QueueName', value: queues.queue.name }],
              },
            },
          },
          {
            id: 'running',
            label: 'running tasks',
            returnData: false,
            metricStat: {
              stat: 'Average',
              metric: {
                namespace: 'ECS/ContainerInsights',
                metricName: 'RunningTaskCount',
                dimensions: [
                  { name: 'ClusterName', value: consumer.cluster.name },
                  { name: 'ServiceName', value: consumer.service.name },
                ],
              },
            },
          },
          { id: 'backlogPerTask', label: 'visible messages per running task', expression: 'visible / running', returnData: true },
        ],
      },
    },
  });

  return target;
}
