// One line of text per trace event, for the event list and for `--print`.
import { assertNever } from '../../core/index.ts';
import type { MessageType } from '../../core/index.ts';
import type { ClientInput, TraceEvent } from '../../sim/events.ts';
import { describeCheckpoint } from '../checkers/liveness.ts';

export const MESSAGE_ABBREVIATIONS: Readonly<Record<MessageType, string>> = {
  RequestVote: 'RV', RequestVoteReply: 'RVR', AppendEntries: 'AE', AppendEntriesReply: 'AER',
  InstallSnapshot: 'IS', InstallSnapshotReply: 'ISR', TimeoutNow: 'TN',
};

export function formatTime(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`;
}

export function describeInput(input: ClientInput): string {
  if (input.type === 'read') return `read ${input.key}`;
  const op = input.command.op;
  switch (op.type) {
    case 'get': case 'delete': return `${op.type} ${op.key}`;
    case 'put': case 'append': return `${op.type} ${op.key}=${JSON.stringify(op.value)}`;
    case 'cas': return `cas ${op.key} ${JSON.stringify(op.from)}->${JSON.stringify(op.to)}`;
    default: return assertNever(op);
  }
}

function describeSend(event: Extract<TraceEvent, { type: 'send' }>): string {
  const message = event.message;
  const head = `send #${event.id} ${message.from}->${message.to} ${message.type} T${message.term}`;
  switch (message.type) {
    case 'RequestVote': return `${head}${message.preVote ? ' pre' : ''} last ${message.lastLogIndex}/${message.lastLogTerm}`;
    case 'RequestVoteReply': return `${head} ${message.granted ? 'granted' : 'refused'}${message.preVote ? ' pre' : ''}`;
    case 'AppendEntries': return `${head} prev ${message.prevLogIndex}/${message.prevLogTerm} +${message.entries.length} commit ${message.leaderCommit}`;
    case 'AppendEntriesReply': return `${head} ${message.success ? `ok match ${message.matchIndex}` : `reject hint ${message.conflictIndex}/${message.conflictTerm}`}`;
    case 'InstallSnapshot': return `${head} up to ${message.snapshot.metadata.index}/${message.snapshot.metadata.term}`;
    case 'InstallSnapshotReply': return `${head} match ${message.matchIndex}`;
    case 'TimeoutNow': return head;
    default: return assertNever(message);
  }
}

export function describeEvent(event: TraceEvent): string {
  switch (event.type) {
    case 'send': return describeSend(event);
    case 'deliver': return `deliver #${event.id} ${event.from}->${event.to}`;
    case 'drop': return `drop #${event.id} ${event.from}->${event.to} (${event.reason})`;
    case 'duplicate': return `duplicate #${event.id} copy ${event.copy}`;
    case 'crash': return `crash n${event.node}${event.torn ? ' torn' : ''}, lost ${event.lostEntries} unsynced entries`;
    case 'restart': return `restart n${event.node}`;
    case 'pause': return `pause n${event.node}`;
    case 'resume': return `resume n${event.node}`;
    case 'partition': return `partition ${event.kind}: cut ${event.cut.map(([from, to]) => `${from}->${to}`).join(' ')}`;
    case 'heal': return 'heal: network whole again';
    case 'role': return `n${event.node} becomes ${event.role} T${event.term}`;
    case 'term': return `n${event.node} term ${event.term} vote ${event.vote ?? '-'}`;
    case 'append': return `n${event.node} log from ${event.from}: ${event.entries.length} entries${event.entries.length > 0 ? ` (terms ${termsOf(event.entries)})` : ''}`;
    case 'commit': return `n${event.node} commit ${event.index}`;
    case 'apply': return `n${event.node} apply ${event.entry.index}/T${event.entry.term}`;
    case 'snapshot': return `n${event.node} snapshot up to ${event.index}/T${event.term}`;
    case 'compact': return `n${event.node} compact up to ${event.index}`;
    case 'call': return `client ${event.client} op ${event.op} calls n${event.node}: ${describeInput(event.input)}`;
    case 'return': return `client ${event.client} op ${event.op} returns ${event.output.type === 'unknown' ? 'unknown' : JSON.stringify(event.output.result)}`;
    case 'phase': return `phase ${event.phase}${event.phase === 'liveness' ? ': faults stop, the cluster must recover' : ''}`;
    case 'violation': return `VIOLATION ${event.checker}: ${event.message}`;
    case 'checkpoint': return describeCheckpoint(event);
    case 'assertion': return `n${event.node} ASSERTION ${event.message}`;
    default: return assertNever(event);
  }
}

function termsOf(entries: readonly { readonly term: number }[]): string {
  const first = entries[0]?.term;
  const last = entries[entries.length - 1]?.term;
  return first === last ? String(first) : `${first}..${last}`;
}
