#!/usr/bin/env bash
# Push the image built once by cd.yml to this stage's ECR repository, tagged with the commit SHA.
# Usage: push-image.sh <image.tar.gz>; reads ECR_REPOSITORY_URL and IMAGE_TAG.
set -euo pipefail

archive="${1:?usage: push-image.sh <image.tar.gz>}"
: "${ECR_REPOSITORY_URL:?ECR_REPOSITORY_URL is not set}"
: "${IMAGE_TAG:?IMAGE_TAG is not set}"

repository_name="${ECR_REPOSITORY_URL#*/}"
image="${ECR_REPOSITORY_URL}:${IMAGE_TAG}"

# Re-running a deploy must not fail on an immutable tag that is already there.
if aws ecr describe-images --repository-name "${repository_name}" \
  --image-ids "imageTag=${IMAGE_TAG}" >/dev/null 2>&1; then
  echo "image ${IMAGE_TAG} is already in ${repository_name}; not pushing again"
else
  gunzip --stdout "${archive}" | docker load
  docker tag "login-pipeline:${IMAGE_TAG}" "${image}"
  docker push "${image}"
fi

echo "IMAGE=${image}" >> "${GITHUB_ENV:-/dev/null}"
echo "image=${image}" >> "${GITHUB_OUTPUT:-/dev/null}"
