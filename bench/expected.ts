// What each contender should have written for a given set of bodies, worked out independently of
// the run: the consumer's rows are the bodies that prepareRow turns into rows (the rest belong in the
// DLQ); the naive contender's are the bodies that pass validation.
import type { Masker } from '../service/masking.js';
import { prepareRow } from '../service/prepare-row.js';
import { validateBody } from '../service/validate.js';

export interface Expected {
  /** Rows the consumer must write; every other body must be in the DLQ. */
  consumerRows: number;
  /** Rows the naive contender must write (it drops what fails validation). */
  naiveRows: number;
}

export function expectedOutcome(bodies: readonly string[], masker: Masker): Expected {
  let consumerRows = 0;
  let naiveRows = 0;
  bodies.forEach((body, i) => {
    const message = { messageId: `expected-${i}`, receiptHandle: '', body, md5OfBody: '', sentTimestamp: Date.now() };
    if (prepareRow(message, masker).kind === 'row') consumerRows += 1;
    if (validateBody(body).ok) naiveRows += 1;
  });
  return { consumerRows, naiveRows };
}
