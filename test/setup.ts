// cdktf ships jest matchers (toHaveResourceWithProperties, …); they run under vitest once
// `expect` is global and Testing.setupJest() has registered them (DESIGN.md §6).
import { expect } from 'vitest';
import { Testing } from 'cdktf';

(globalThis as { expect?: unknown }).expect = expect;
Testing.setupJest();
