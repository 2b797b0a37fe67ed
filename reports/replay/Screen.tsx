// Draws the lines of screen.ts with Ink. All layout decisions live in screen.ts; this only maps
// segment styles to <Text> props (and drops colours when colour is off: NO_COLOR).
import { Box, Text } from 'ink';
import type { ReactElement } from 'react';
import type { Line } from './screen.ts';

export interface ScreenProps {
  readonly lines: readonly Line[];
  readonly color: boolean;
}

export function Screen({ lines, color }: ScreenProps): ReactElement {
  return (
    <Box flexDirection="column">
      {lines.map((line, row) => (
        <Text key={row} wrap="truncate">
          {line.length === 0 ? ' ' : line.map((segment, column) => (
            <Text
              key={column}
              {...(color && segment.color !== undefined ? { color: segment.color } : {})}
              bold={segment.bold === true}
              dimColor={segment.dim === true}
              inverse={segment.inverse === true}
            >
              {segment.text}
            </Text>
          ))}
        </Text>
      ))}
    </Box>
  );
}
