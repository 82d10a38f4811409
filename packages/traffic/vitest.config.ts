import { defineConfig, mergeConfig } from 'vitest/config';
import { shared } from '../../vitest.shared.js';

// The sampler's tests measure time (schedules, deadlines, a blocked thread): one file at a time, so that
// one file's busy loop is not another's late schedule.
export default mergeConfig(shared, defineConfig({ test: { fileParallelism: false } }));
