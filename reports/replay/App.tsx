// The interactive replay: terminal input becomes key presses for the reducer in keys.ts, the
// cursor becomes a frame (model.ts), the frame becomes lines (screen.ts). Nothing here computes
// cluster state; playback is a timer that moves the cursor.
import { useApp, useInput, useStdout } from 'ink';
import type { ReactElement } from 'react';
import { useEffect, useMemo, useState } from 'react';
import type { ReplayInfo } from './info.ts';
import { initialView, playStep, pressesOf, reduceKeys, SPEEDS } from './keys.ts';
import type { ViewState } from './keys.ts';
import type { ReplayModel } from './model.ts';
import { Screen } from './Screen.tsx';
import { screenLines, SIZE_DEFAULT } from './screen.ts';
import type { ScreenSize } from './screen.ts';

export interface AppProps {
  readonly model: ReplayModel;
  readonly info: ReplayInfo;
  readonly initialCursor: number;
  readonly color: boolean;
  /** The terminal size when the stream does not say (tests). */
  readonly size?: ScreenSize;
}

/** Frames per second of playback at most; faster speeds move several events per frame. */
const PLAY_FRAMES_PER_SECOND = 20;

function useTerminalSize(fallback: ScreenSize): ScreenSize {
  const { stdout } = useStdout();
  const read = (): ScreenSize => ({ columns: stdout.columns ?? fallback.columns, rows: stdout.rows ?? fallback.rows });
  const [size, setSize] = useState<ScreenSize>(read);
  useEffect(() => {
    const onResize = (): void => setSize(read());
    stdout.on('resize', onResize);
    return () => void stdout.off('resize', onResize);
  });
  return size;
}

function usePlayback(view: ViewState, setView: (update: (view: ViewState) => ViewState) => void, model: ReplayModel): void {
  const speed = SPEEDS[view.speedLevel] ?? 1;
  useEffect(() => {
    if (!view.playing) return undefined;
    const intervalMs = Math.max(1000 / PLAY_FRAMES_PER_SECOND, 1000 / speed);
    const perFrame = (speed * intervalMs) / 1000;
    const timer = setInterval(() => setView((current) => playStep(current, perFrame, model)), intervalMs);
    return () => clearInterval(timer);
  }, [view.playing, speed, model, setView]);
}

export function App({ model, info, initialCursor, color, size }: AppProps): ReactElement {
  const { exit } = useApp();
  const [view, setView] = useState<ViewState>(() => initialView(initialCursor));
  const terminal = useTerminalSize(size ?? SIZE_DEFAULT);
  useInput((input, key) => setView((current) => reduceKeys(current, pressesOf(input, key), model)));
  usePlayback(view, setView, model);
  useEffect(() => {
    if (view.quit) exit();
  }, [view.quit, exit]);
  const frame = useMemo(() => model.frameAt(view.cursor), [model, view.cursor]);
  // One row fewer than the terminal: Ink ends its output with a newline, and a full screen of
  // lines would scroll the header off the top.
  const lines = screenLines({ model, info, view, frame, size: size ?? { columns: terminal.columns, rows: terminal.rows - 1 } });
  return <Screen lines={lines} color={color} />;
}
