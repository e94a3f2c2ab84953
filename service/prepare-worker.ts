// A worker thread that validates and masks received messages. AES-SIV in pure JavaScript is the
// consumer's largest cost after the AWS SDK, so it runs here, off the thread that drives SQS.
import { parentPort, workerData } from 'node:worker_threads';
import type { MaskingMode } from './config.js';
import { createMasker } from './masking.js';
import { prepareMessages, type PrepareRequest, type PrepareResponse } from './preparer.js';

export interface PrepareWorkerData {
  mode: MaskingMode;
  active: string;
  keys: [string, Uint8Array][];
}

const data = workerData as PrepareWorkerData;
const masker = createMasker({ active: data.active, keys: new Map(data.keys) }, data.mode);

parentPort!.postMessage('ready');
parentPort!.on('message', (request: PrepareRequest) => {
  const response: PrepareResponse = { id: request.id, outcomes: prepareMessages(request.messages, masker) };
  parentPort!.postMessage(response);
});
