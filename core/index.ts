// The core's public surface: sim/ and reports/ import core only through this file.
export * from './types.ts';
export * from './assert.ts';
export * from './bugs.ts';
export * from './kv.ts';
export { RaftNode } from './raft.ts';
export { applyConfChange, confChangeProblem, isMember, isVoter } from './membership.ts';
export { quorumValue, majority, voteResult } from './quorum.ts';
export { estimateEntryBytes } from './log.ts';
