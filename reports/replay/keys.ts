// Key handling of the replay, as a pure reducer: (view, key press, model) -> view. The Ink
// component only translates terminal input into presses and draws the view, so every binding is
// testable without a terminal.
import { assertNever } from '../../core/index.ts';
import type { NodeId } from '../../core/index.ts';
import type { ReplayModel } from './model.ts';

/** Events per second while playing; `+` and `-` move along this list. */
export const SPEEDS: readonly number[] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000];
const SPEED_DEFAULT = 3;
const SEARCH_LENGTH_MAX = 40;

export type Mode = 'normal' | 'help' | 'search';

export interface ViewState {
  /** The event shown as just applied; -1 is before the first event. */
  readonly cursor: number;
  readonly follow: NodeId | null;
  readonly playing: boolean;
  readonly speedLevel: number;
  readonly mode: Mode;
  readonly query: string;
  /** A one-line answer to the last key ("no violation in this trace"), cleared by the next. */
  readonly notice: string | null;
  readonly quit: boolean;
}

export type KeyPress =
  | { readonly type: 'char'; readonly char: string }
  | { readonly type: 'left' | 'right' | 'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end' }
  | { readonly type: 'enter' | 'escape' | 'backspace' };

export function initialView(cursor = 0): ViewState {
  return { cursor, follow: null, playing: false, speedLevel: SPEED_DEFAULT, mode: 'normal', query: '', notice: null, quit: false };
}

/** What Ink's useInput reports, reduced to the fields used here. */
export interface InkKey {
  readonly leftArrow: boolean; readonly rightArrow: boolean; readonly upArrow: boolean; readonly downArrow: boolean;
  readonly pageUp: boolean; readonly pageDown: boolean; readonly home: boolean; readonly end: boolean;
  readonly return: boolean; readonly escape: boolean; readonly backspace: boolean; readonly delete: boolean;
  readonly ctrl: boolean;
}

/** One input chunk may hold several characters ("nnn" typed fast, or pasted): one press each. */
export function pressesOf(input: string, key: InkKey): KeyPress[] {
  const special = specialPress(key);
  if (special !== null) return [special];
  if (key.ctrl && input === 'c') return [{ type: 'char', char: 'q' }];
  return Array.from(input, (char) => ({ type: 'char', char }));
}

function specialPress(key: InkKey): KeyPress | null {
  if (key.leftArrow) return { type: 'left' };
  if (key.rightArrow) return { type: 'right' };
  if (key.upArrow) return { type: 'up' };
  if (key.downArrow) return { type: 'down' };
  if (key.pageUp) return { type: 'pageUp' };
  if (key.pageDown) return { type: 'pageDown' };
  if (key.home) return { type: 'home' };
  if (key.end) return { type: 'end' };
  if (key.return) return { type: 'enter' };
  if (key.escape) return { type: 'escape' };
  if (key.backspace || key.delete) return { type: 'backspace' };
  return null;
}

export function reduceKeys(view: ViewState, presses: readonly KeyPress[], model: ReplayModel): ViewState {
  let next = view;
  for (const press of presses) {
    if (next.quit) break;
    next = reduceKey(next, press, model);
  }
  return next;
}

export function reduceKey(view: ViewState, press: KeyPress, model: ReplayModel): ViewState {
  const base = { ...view, notice: null };
  switch (view.mode) {
    case 'search': return searchKey(base, press, model);
    case 'help': return press.type === 'char' && press.char === 'q' ? { ...base, quit: true } : { ...base, mode: 'normal' };
    case 'normal': return normalKey(base, press, model);
    default: return assertNever(view.mode);
  }
}

function moveTo(view: ViewState, cursor: number, model: ReplayModel): ViewState {
  return { ...view, cursor: Math.max(0, Math.min(model.length - 1, cursor)) };
}

function normalKey(view: ViewState, press: KeyPress, model: ReplayModel): ViewState {
  switch (press.type) {
    case 'left': return moveTo(view, view.cursor - 1, model);
    case 'right': return moveTo(view, view.cursor + 1, model);
    case 'up': return moveTo(view, view.cursor - 10, model);
    case 'down': return moveTo(view, view.cursor + 10, model);
    case 'pageUp': return moveTo(view, view.cursor - 100, model);
    case 'pageDown': return moveTo(view, view.cursor + 100, model);
    case 'home': return moveTo(view, 0, model);
    case 'end': return moveTo(view, model.length - 1, model);
    case 'enter': case 'escape': case 'backspace': return view;
    case 'char': return charKey(view, press.char, model);
    default: return assertNever(press);
  }
}

function charKey(view: ViewState, char: string, model: ReplayModel): ViewState {
  switch (char) {
    case 'q': return { ...view, quit: true, playing: false };
    case 'n': case 'p': return jumpInteresting(view, char === 'n' ? 1 : -1, model);
    case 'v': return jumpViolation(view, model);
    case ' ': return { ...view, playing: !view.playing && view.cursor < model.length - 1 };
    case '+': case '=': return { ...view, speedLevel: Math.min(SPEEDS.length - 1, view.speedLevel + 1) };
    case '-': case '_': return { ...view, speedLevel: Math.max(0, view.speedLevel - 1) };
    case 'f': return { ...view, follow: nextFollow(view.follow, model.nodeCount) };
    case '/': return { ...view, mode: 'search', query: '', playing: false };
    case '?': case 'h': return { ...view, mode: 'help', playing: false };
    default: return view;
  }
}

function jumpInteresting(view: ViewState, direction: 1 | -1, model: ReplayModel): ViewState {
  const target = model.nextInteresting(view.cursor, direction, view.follow);
  if (target === null) return { ...view, notice: `no ${direction === 1 ? 'later' : 'earlier'} interesting event${view.follow === null ? '' : ` for node ${view.follow}`}` };
  return moveTo(view, target, model);
}

function jumpViolation(view: ViewState, model: ReplayModel): ViewState {
  const first = model.violations[0];
  if (first === undefined) return { ...view, notice: 'no violation in this trace' };
  return moveTo({ ...view, playing: false }, first, model);
}

/** f cycles: nobody, node 1, node 2, ..., nobody. */
function nextFollow(follow: NodeId | null, nodeCount: number): NodeId | null {
  if (follow === null) return 1;
  return follow >= nodeCount ? null : follow + 1;
}

function searchKey(view: ViewState, press: KeyPress, model: ReplayModel): ViewState {
  switch (press.type) {
    case 'escape': return { ...view, mode: 'normal' };
    case 'backspace': return { ...view, query: view.query.slice(0, -1) };
    case 'enter': {
      const found = model.find(view.cursor, view.query);
      const normal: ViewState = { ...view, mode: 'normal' };
      return found === null ? { ...normal, notice: `no event matches "${view.query}"` } : moveTo(normal, found, model);
    }
    case 'char': return view.query.length >= SEARCH_LENGTH_MAX ? view : { ...view, query: view.query + press.char };
    case 'left': case 'right': case 'up': case 'down': case 'pageUp': case 'pageDown': case 'home': case 'end':
      return view;
    default: return assertNever(press);
  }
}

/** One step of playback: `count` events on, stopping at the end and at a violation. */
export function playStep(view: ViewState, count: number, model: ReplayModel): ViewState {
  if (!view.playing) return view;
  const end = model.length - 1;
  const violation = model.violations.find((index) => index > view.cursor);
  const stop = Math.min(end, violation ?? end);
  const cursor = Math.min(stop, view.cursor + Math.max(1, Math.floor(count)));
  return { ...view, cursor, playing: cursor < stop };
}
