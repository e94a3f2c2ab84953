import { describe, expect, it } from 'vitest';
import { imageNodeOptions } from '../../bench/image-node-options.js';

describe('the benchmark runs the consumer with the image’s Node options', () => {
  it('reads NODE_OPTIONS from service/Dockerfile, where they cap the old and the young generation', () => {
    const options = imageNodeOptions();
    expect(options).toHaveLength(2);
    expect(options[0]).toMatch(/^--max-old-space-size=\d+$/);
    expect(options[1]).toMatch(/^--max-semi-space-size=\d+$/);
  });
});
