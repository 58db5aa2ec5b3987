import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // Google client libraries probe the GCE metadata server (169.254.169.254) to find credentials
    // and a project; tests talk to loopback only, so that probe is turned off (gcp-metadata's switch).
    env: { METADATA_SERVER_DETECTION: 'none' },
    // Integration suites start real servers (nginx, the Pub/Sub emulator, our gateway);
    // they bound their own waits, this is only the outer guard.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Most suites wait (on servers, timers, child processes) far more than they compute: three
    // forks on two cores keep both busy. The live edge suite runs each environment's scenarios
    // concurrently (its timing margins are in the hundreds of ms, not tens).
    maxWorkers: 3,
    maxConcurrency: 12,
    reporters: ['default'],
  },
});
