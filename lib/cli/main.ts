#!/usr/bin/env node
/**
 * The `dynpipe` bin: wires the process (arguments, streams, signals, exit status) to
 * {@link runCommand}. The exit status is set rather than forced, so stdout is flushed first; the
 * command leaves no timer or listener behind, so the process then ends by itself.
 */
import type { StopSignal } from './CommandIo.js';
import { runCommand } from './runCommand.js';

const stopSignals: readonly StopSignal[] = ['SIGINT', 'SIGTERM'];

process.exitCode = await runCommand(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  onSignal(listener) {
    for (const signal of stopSignals) process.on(signal, listener);
    return () => {
      for (const signal of stopSignals) process.off(signal, listener);
    };
  },
});
