// cdktf ships jest matchers (toHaveResourceWithProperties, …); they run under vitest once
// `expect` is global and Testing.setupJest() has registered them (DESIGN.md §6).
import { expect } from 'vitest';
import { Testing } from 'cdktf';

(globalThis as { expect?: unknown }).expect = expect;
Testing.setupJest();

// Types for the cdktf matchers registered above (cdktf declares them for jest's namespace only).
declare module 'vitest' {
  interface Assertion<T> {
    toHaveResourceWithProperties(resource: { tfResourceType: string }, properties?: Record<string, unknown>): T;
    toHaveResource(resource: { tfResourceType: string }): T;
    toHaveDataSourceWithProperties(resource: { tfResourceType: string }, properties?: Record<string, unknown>): T;
  }
}
