// Pulumi entry point of the bootstrap stack (infra/bootstrap/Pulumi.yaml). Each export is an output.
import { createBootstrap } from './bootstrap.js';
import { loadBootstrapConfig } from './config.js';

const outputs = createBootstrap(loadBootstrapConfig());

export const oidcProviderArn = outputs.oidcProviderArn;
export const deployRoleArns = outputs.deployRoleArns;
export const previewRoleArns = outputs.previewRoleArns;
export const pulumiBackendUrl = outputs.pulumiBackendUrl;
export const secretsProvider = outputs.secretsProvider;
