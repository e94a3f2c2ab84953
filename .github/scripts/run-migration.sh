#!/usr/bin/env bash
# Run `node dist/service/migrate.js up` inside the VPC as a one-off Fargate task of the NEW image,
# wait for it, and fail unless the migration container exited 0. The database is not reachable from
# GitHub's runners, and `run-task` overrides cannot change the image, so we register a revision of
# the stack's migration task definition that points at the new image and run that.
#
# Reads: CLUSTER_NAME, MIGRATION_TASK_DEFINITION_ARN, PRIVATE_SUBNET_IDS (comma separated),
# MIGRATION_SECURITY_GROUP_ID, ECR_REPOSITORY_URL, IMAGE_TAG; optional MIGRATION_TIMEOUT_SECONDS.
set -euo pipefail

: "${CLUSTER_NAME:?CLUSTER_NAME is not set}"
: "${MIGRATION_TASK_DEFINITION_ARN:?MIGRATION_TASK_DEFINITION_ARN is not set}"
: "${PRIVATE_SUBNET_IDS:?PRIVATE_SUBNET_IDS is not set}"
: "${MIGRATION_SECURITY_GROUP_ID:?MIGRATION_SECURITY_GROUP_ID is not set}"
: "${ECR_REPOSITORY_URL:?ECR_REPOSITORY_URL is not set}"
: "${IMAGE_TAG:?IMAGE_TAG is not set}"
timeout_seconds="${MIGRATION_TIMEOUT_SECONDS:-1800}"
image="${ECR_REPOSITORY_URL}:${IMAGE_TAG}"

work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT

# 1. A revision of the migration task definition with the new image in every container that runs
#    our repository's image; everything else (roles, command, secrets, logging) is the stack's.
aws ecs describe-task-definition --task-definition "${MIGRATION_TASK_DEFINITION_ARN}" \
  --include TAGS --output json > "${work}/current.json"
jq --arg image "${image}" --arg repo "${ECR_REPOSITORY_URL}" '
  def ours: (.image | startswith($repo + ":") or startswith($repo + "@"));
  (.tags // []) as $tags
  | .taskDefinition
  | .containerDefinitions |= map(if ours then .image = $image else . end)
  | del(.taskDefinitionArn, .revision, .status, .requiresAttributes, .compatibilities,
        .registeredAt, .registeredBy, .deregisteredAt)
  | if ($tags | length) > 0 then .tags = $tags else . end
' "${work}/current.json" > "${work}/register.json"
if ! jq -e --arg image "${image}" '[.containerDefinitions[] | select(.image == $image)] | length > 0' \
  "${work}/register.json" >/dev/null; then
  echo "::error::no container of ${MIGRATION_TASK_DEFINITION_ARN} runs an image from ${ECR_REPOSITORY_URL}"
  exit 1
fi
task_definition="$(aws ecs register-task-definition --cli-input-json "file://${work}/register.json" \
  --query 'taskDefinition.taskDefinitionArn' --output text)"
echo "registered ${task_definition} with image ${image}"

# 2. One task in the private subnets, with the migration security group, no public IP.
network="$(jq -cn --arg subnets "${PRIVATE_SUBNET_IDS}" --arg sg "${MIGRATION_SECURITY_GROUP_ID}" \
  '{awsvpcConfiguration: {subnets: ($subnets | split(",")), securityGroups: [$sg], assignPublicIp: "DISABLED"}}')"
aws ecs run-task --cluster "${CLUSTER_NAME}" --task-definition "${task_definition}" \
  --launch-type FARGATE --count 1 --network-configuration "${network}" \
  --started-by "deploy-${IMAGE_TAG:0:20}" --output json > "${work}/run.json"
if ! jq -e '(.failures // []) | length == 0' "${work}/run.json" >/dev/null; then
  echo "::error::ECS could not start the migration task: $(jq -c '.failures' "${work}/run.json")"
  exit 1
fi
task_arn="$(jq -r '.tasks[0].taskArn // empty' "${work}/run.json")"
if [[ -z "${task_arn}" ]]; then
  echo "::error::run-task returned no task"
  exit 1
fi
echo "migration task ${task_arn} started"

# 3. Wait for it to stop. The CLI waiter gives up after 10 minutes; a long migration keeps waiting
#    up to MIGRATION_TIMEOUT_SECONDS. A timed-out migration is left running on purpose: stopping it
#    mid-way only rolls it back, and node-pg-migrate's advisory lock keeps the next deploy out.
deadline=$((SECONDS + timeout_seconds))
until aws ecs wait tasks-stopped --cluster "${CLUSTER_NAME}" --tasks "${task_arn}"; do
  if ((SECONDS >= deadline)); then
    echo "::error::migration task ${task_arn} still running after ${timeout_seconds}s; deploy stopped"
    exit 1
  fi
  echo "migration still running; waiting again"
done

# 4. The deploy continues only if every container running our image exited 0. A task that never
#    started (image pull, secrets, networking) has no exit code and fails here too.
aws ecs describe-tasks --cluster "${CLUSTER_NAME}" --tasks "${task_arn}" --output json > "${work}/stopped.json"
jq -r '.tasks[0] | "stopCode=\(.stopCode // "-") stoppedReason=\(.stoppedReason // "-")",
  (.containers[] | "container \(.name): exitCode=\(.exitCode // "none") reason=\(.reason // "-")")' \
  "${work}/stopped.json"

# The migration's own log lines (they name migrations, never row data), to see why it failed.
log_group="$(jq -r '.taskDefinition.containerDefinitions[0].logConfiguration.options["awslogs-group"] // empty' "${work}/current.json")"
log_prefix="$(jq -r '.taskDefinition.containerDefinitions[0].logConfiguration.options["awslogs-stream-prefix"] // empty' "${work}/current.json")"
container_name="$(jq -r '.taskDefinition.containerDefinitions[0].name' "${work}/current.json")"
if [[ -n "${log_group}" && -n "${log_prefix}" ]]; then
  aws logs get-log-events --log-group-name "${log_group}" \
    --log-stream-name "${log_prefix}/${container_name}/${task_arn##*/}" \
    --limit 200 --query 'events[].message' --output text || echo "(migration logs not available)"
fi

if jq -e --arg image "${image}" '
  [.tasks[0].containers[] | select(.image == $image)] as $ours
  | ($ours | length) > 0 and all($ours[]; .exitCode == 0)
' "${work}/stopped.json" >/dev/null; then
  echo "migrations succeeded"
else
  echo "::error::migration task ${task_arn} failed; not deploying ${IMAGE_TAG}"
  exit 1
fi
