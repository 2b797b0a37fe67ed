// Cluster configurations and single-server changes (thesis 4.1). A configuration is plain
// sorted data; a change produces a new one and never mutates the old.
import type { ClusterConfig, ConfChange, NodeId } from './types.ts';
import { assert, assertNever } from './assert.ts';

function without(ids: readonly NodeId[], node: NodeId): NodeId[] {
  return ids.filter((id) => id !== node);
}

function withAdded(ids: readonly NodeId[], node: NodeId): NodeId[] {
  return [...ids, node].sort((a, b) => a - b);
}

export function isVoter(config: ClusterConfig, node: NodeId): boolean {
  return config.voters.includes(node);
}

export function isMember(config: ClusterConfig, node: NodeId): boolean {
  return config.voters.includes(node) || config.learners.includes(node);
}

/** Why a change cannot apply to config, or null when it can (and changes something). */
export function confChangeProblem(config: ClusterConfig, change: ConfChange): string | null {
  switch (change.type) {
    case 'addLearner':
      return isMember(config, change.node) ? `node ${change.node} is already a member` : null;
    case 'promote':
      return config.learners.includes(change.node) ? null : `node ${change.node} is not a learner`;
    case 'remove':
      if (!isMember(config, change.node)) return `node ${change.node} is not a member`;
      if (config.voters.length === 1 && isVoter(config, change.node)) return 'cannot remove the last voter';
      return null;
    default:
      return assertNever(change);
  }
}

/** The configuration after change; a change that does not apply leaves config as it is. */
export function applyConfChange(config: ClusterConfig, change: ConfChange): ClusterConfig {
  if (confChangeProblem(config, change) !== null) return config;
  switch (change.type) {
    case 'addLearner':
      return { voters: config.voters, learners: withAdded(config.learners, change.node) };
    case 'promote':
      return { voters: withAdded(config.voters, change.node), learners: without(config.learners, change.node) };
    case 'remove':
      return { voters: without(config.voters, change.node), learners: without(config.learners, change.node) };
    default:
      return assertNever(change);
  }
}

export function assertValidConfig(config: ClusterConfig): void {
  assert(config.voters.length >= 1, 'a configuration needs at least one voter');
  for (let i = 1; i < config.voters.length; i++) {
    assert((config.voters[i - 1] as NodeId) < (config.voters[i] as NodeId), 'voters must be sorted and distinct');
  }
  for (let i = 1; i < config.learners.length; i++) {
    assert((config.learners[i - 1] as NodeId) < (config.learners[i] as NodeId), 'learners must be sorted and distinct');
  }
  for (const learner of config.learners) assert(!config.voters.includes(learner), `node ${learner} is both voter and learner`);
}
