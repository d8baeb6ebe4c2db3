// The record rule: one copy, used by every reader and writer (see core/store/README.md).
export * from './spaces.ts';
export * from './directory.ts';
export * from './rule.ts';
