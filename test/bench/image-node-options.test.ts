import { describe, expect, it } from 'vitest';
import { imageAllocatorEnv, imageNodeOptions } from '../../bench/image-node-options.js';

describe('the benchmark runs the consumer with the image’s Node options', () => {
  it('reads NODE_OPTIONS from service/Dockerfile, where they cap the old and the young generation', () => {
    const options = imageNodeOptions();
    expect(options).toHaveLength(2);
    expect(options[0]).toMatch(/^--max-old-space-size=\d+$/);
    expect(options[1]).toMatch(/^--max-semi-space-size=\d+$/);
  });

  it('reads MALLOC_ARENA_MAX from service/Dockerfile too, for the consumer process’s environment', () => {
    expect(imageAllocatorEnv()).toEqual({ MALLOC_ARENA_MAX: expect.stringMatching(/^\d+$/) as unknown });
  });
});
