#!/usr/bin/env bash
# After `pulumi up`: the service is stable, runs exactly its desired count of the NEW task
# definition, every task is healthy, and the queue is not growing.
#
# Reads: CLUSTER_NAME, SERVICE_NAME, QUEUE_URL, ECR_REPOSITORY_URL, IMAGE_TAG; optional
# SMOKE_SAMPLES (default 4) and SMOKE_INTERVAL_SECONDS (default 20) for the queue check.
set -euo pipefail

: "${CLUSTER_NAME:?CLUSTER_NAME is not set}"
: "${SERVICE_NAME:?SERVICE_NAME is not set}"
: "${QUEUE_URL:?QUEUE_URL is not set}"
: "${ECR_REPOSITORY_URL:?ECR_REPOSITORY_URL is not set}"
: "${IMAGE_TAG:?IMAGE_TAG is not set}"
samples="${SMOKE_SAMPLES:-4}"
interval="${SMOKE_INTERVAL_SECONDS:-20}"
image="${ECR_REPOSITORY_URL}:${IMAGE_TAG}"

fail() {
  echo "::error::smoke check: $*"
  exit 1
}

# 1. Steady state (pulumi up waits too; this makes the deploy's verdict independent of it).
aws ecs wait services-stable --cluster "${CLUSTER_NAME}" --services "${SERVICE_NAME}" \
  || fail "service ${SERVICE_NAME} did not reach a steady state"

service="$(aws ecs describe-services --cluster "${CLUSTER_NAME}" --services "${SERVICE_NAME}" \
  --query 'services[0]' --output json)"
desired="$(jq -r '.desiredCount' <<<"${service}")"
running="$(jq -r '.runningCount' <<<"${service}")"
deployments="$(jq -r '.deployments | length' <<<"${service}")"
task_definition="$(jq -r '.taskDefinition' <<<"${service}")"
echo "service ${SERVICE_NAME}: running ${running}/${desired}, deployments ${deployments}, ${task_definition}"
((desired > 0)) || fail "desired count is 0"
((running == desired)) || fail "running ${running} != desired ${desired}"
((deployments == 1)) || fail "${deployments} deployments in progress (a rollback or a stuck rollout)"

# 2. The service's task definition is the one with the new image.
aws ecs describe-task-definition --task-definition "${task_definition}" \
  --query 'taskDefinition.containerDefinitions[].image' --output json \
  | jq -e --arg image "${image}" 'index($image) != null' >/dev/null \
  || fail "${task_definition} does not run ${image}"

# 3. Every running task is of that definition and healthy (the container health check).
mapfile -t tasks < <(aws ecs list-tasks --cluster "${CLUSTER_NAME}" --service-name "${SERVICE_NAME}" \
  --desired-status RUNNING --query 'taskArns[]' --output text | tr '\t' '\n' | sed '/^$/d')
((${#tasks[@]} > 0)) || fail "no running tasks"
aws ecs describe-tasks --cluster "${CLUSTER_NAME}" --tasks "${tasks[@]}" --output json \
  | jq -e --arg td "${task_definition}" '
      .tasks | length > 0 and all(.[]; .taskDefinitionArn == $td and .lastStatus == "RUNNING" and .healthStatus == "HEALTHY")
    ' >/dev/null \
  || fail "not every running task is a HEALTHY task of ${task_definition}"

# 4. The queue is draining: its visible depth must not grow across the samples (or is empty).
first=""
last=""
for ((i = 1; i <= samples; i++)); do
  last="$(aws sqs get-queue-attributes --queue-url "${QUEUE_URL}" \
    --attribute-names ApproximateNumberOfMessages \
    --query 'Attributes.ApproximateNumberOfMessages' --output text)"
  first="${first:-${last}}"
  echo "queue depth sample ${i}/${samples}: ${last}"
  if ((i < samples)); then sleep "${interval}"; fi
done
if ((last > 0 && last > first)); then
  fail "queue grew from ${first} to ${last} messages while the new tasks ran"
fi
echo "smoke check passed: ${running} healthy tasks of ${task_definition}, queue ${first} -> ${last}"
