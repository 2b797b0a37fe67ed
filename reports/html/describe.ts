// One line per trace event, for the witness list and the tooltips of the HTML report. The page
// shows these as text (textContent), so they may hold anything the trace holds.
import { assertNever } from '../../core/index.ts';
import type { ClientInput, ClientOutput, TraceEvent } from '../../sim/events.ts';
import { describeCheckpoint } from '../checkers/liveness.ts';

function inputText(input: ClientInput): string {
  if (input.type === 'read') return `read ${input.key}`;
  return `${JSON.stringify(input.command.op)} (client ${input.command.clientId} seq ${input.command.sequence})`;
}

function outputText(output: ClientOutput): string {
  return output.type === 'unknown' ? 'unknown' : JSON.stringify(output.result);
}

/** What happened, in words; the time and index are added by the caller. */
export function describeEvent(event: TraceEvent): string {
  switch (event.type) {
    case 'send': return `n${event.message.from} sends ${event.message.type} to n${event.message.to} (message ${event.id}, term ${event.message.term})`;
    case 'deliver': return `n${event.to} receives message ${event.id} from n${event.from}`;
    case 'drop': return `message ${event.id} from n${event.from} to n${event.to} dropped (${event.reason})`;
    case 'duplicate': return `message ${event.id} duplicated (copy ${event.copy})`;
    case 'crash': return `n${event.node} crashes (${event.lostEntries} unsynced entries lost${event.torn ? ', torn write' : ''})`;
    case 'restart': return `n${event.node} restarts from its disk`;
    case 'pause': return `n${event.node} pauses`;
    case 'resume': return `n${event.node} resumes`;
    case 'partition': return `partition (${event.kind}) cuts ${event.cut.map(([from, to]) => `${from}->${to}`).join(' ')}`;
    case 'heal': return 'network healed';
    case 'role': return `n${event.node} becomes ${event.role} in term ${event.term}`;
    case 'term': return `n${event.node} enters term ${event.term}, vote ${event.vote === null ? 'none' : `n${event.vote}`}`;
    case 'append': return `n${event.node} writes ${event.entries.length} entries from index ${event.from}`
      + (event.entries.length > 0 ? ` (terms ${event.entries.map((entry) => entry.term).join(',')})` : '');
    case 'commit': return `n${event.node} commits up to index ${event.index}`;
    case 'apply': return `n${event.node} applies entry ${event.entry.index} (term ${event.entry.term})`;
    case 'snapshot': return `n${event.node} takes a snapshot up to index ${event.index} (term ${event.term})`;
    case 'compact': return `n${event.node} compacts its log up to index ${event.index}`;
    case 'call': return `client ${event.client} calls n${event.node}: ${inputText(event.input)} (op ${event.op})`;
    case 'return': return `client ${event.client} gets ${outputText(event.output)} (op ${event.op})`;
    case 'phase': return `${event.phase} phase begins`;
    case 'violation': return `violation: ${event.checker}: ${event.message}`;
    case 'checkpoint': return describeCheckpoint(event);
    case 'assertion': return `n${event.node} fails its own assertion: ${event.message}`;
    default: return assertNever(event);
  }
}

/** The node an event is drawn on, or null for cluster-wide events. */
export function nodeOfEvent(event: TraceEvent): number | null {
  switch (event.type) {
    case 'send': return event.message.from;
    case 'deliver': case 'drop': return event.to;
    case 'crash': case 'restart': case 'pause': case 'resume': case 'role': case 'term':
    case 'append': case 'commit': case 'apply': case 'snapshot': case 'compact': case 'call': case 'assertion':
      return event.node;
    case 'duplicate': case 'partition': case 'heal': case 'return': case 'phase': case 'violation': case 'checkpoint':
      return null;
    default: return assertNever(event);
  }
}
