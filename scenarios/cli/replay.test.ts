import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { failingTrace, writeFailingTrace } from '../replay-fixture.ts';
import { EXIT } from './common.ts';
import { main } from './replay.ts';
import { captureIo, runCli } from './test-io.ts';
import type { CliResult } from './test-io.ts';

const run = (argv: readonly string[], tty = false): Promise<CliResult> => runCli(main, argv, { ...captureIo(), stdoutIsTty: tty });

describe('npm run replay', () => {
  const file = writeFailingTrace();

  it('--print --at violation renders the violation frame as plain text', async () => {
    const { code, out } = await run([file, '--print', '--at', 'violation']);
    expect(code).toBe(EXIT.pass);
    expect(out.length).toBe(24);
    const violation = failingTrace().events.find((event) => event.type === 'violation');
    expect(violation?.type).toBe('violation');
    if (violation?.type !== 'violation') return;
    expect(out.join('\n')).toContain(`VIOLATION ${violation.checker}`);
    expect(out.join('\n').includes('\u001B[')).toBe(false);
  });

  it('--at N shows event N; --columns and --rows size the frame', async () => {
    const { out } = await run([file, '--print', '--at', '7', '--columns', '100', '--rows', '30']);
    expect(out.length).toBe(30);
    expect(out[1]).toContain(`event 7/${failingTrace().events.length}`);
  });

  it.each([
    ['a missing file', ['no/such.trace.jsonl', '--print'], /does not exist/],
    ['a bad flag', [file, '--print', '--bogus'], /bogus/],
    ['--at outside the trace', [file, '--print', '--at', '999999999'], /outside the trace/],
    ['--at nonsense', [file, '--print', '--at', 'soon'], /--at takes/],
    ['no file', ['--print'], /no trace file/],
    ['stdout not a terminal without --print', [file], /not a terminal.*--print/],
  ])('%s exits 2 with one line', async (_name, argv, message) => {
    const { code, err, out } = await run(argv);
    expect(code).toBe(EXIT.usage);
    expect(err.length).toBe(1);
    expect(err[0]).toMatch(message);
    expect(out).toEqual([]);
  });

  it('a truncated or corrupted trace exits 2 with one line', async () => {
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const truncated = `${file}.truncated`;
    writeFileSync(truncated, lines.slice(0, -5).join('\n') + '\n');
    const corrupted = `${file}.corrupted`;
    writeFileSync(corrupted, [...lines.slice(0, 3), lines[3]?.replace(/"time":\d+/, '"time":999999'), ...lines.slice(4)].join('\n') + '\n');
    for (const [path, message] of [[truncated, /truncated/], [corrupted, /corrupted/]] as const) {
      const { code, err } = await run([path, '--print']);
      expect(code).toBe(EXIT.usage);
      expect(err).toHaveLength(1);
      expect(err[0]).toMatch(message);
    }
  });
});
