// A worker thread that validates and masks received messages, off the thread that drives SQS: that
// thread spends most of its time in the AWS SDK and is the consumer's limit without network latency.
import { parentPort, workerData } from 'node:worker_threads';
import type { MaskingMode } from './config.js';
import { createMasker } from './masking.js';
import { fromRequestFields, toResponse, type PrepareRequest, type PrepareResponse } from './prepare-wire.js';
import { prepareMessages } from './preparer.js';

export interface PrepareWorkerData {
  mode: MaskingMode;
  active: string;
  keys: [string, Uint8Array][];
}

const data = workerData as PrepareWorkerData;
const masker = createMasker({ active: data.active, keys: new Map(data.keys) }, data.mode);

parentPort!.postMessage('ready');
parentPort!.on('message', (requests: PrepareRequest[]) => {
  const responses: PrepareResponse[] = requests.map((request) => toResponse(request.id, prepareMessages(fromRequestFields(request.messages), masker)));
  parentPort!.postMessage(responses);
});
