/**
 * Entry point of the `tessera` command line. Each top-level word maps to a command module in
 * ./commands; a module owns its own argument parsing and returns an exit code. Errors go to stderr
 * with a non-zero exit code and no partial output file.
 */
import { analyzeCommand } from './commands/analyze.ts';
import { bundleCommand } from './commands/bundle.ts';
import { caseCommand } from './commands/case.ts';
import { identityCommand } from './commands/identity.ts';
import { exportCommand, importCommand } from './commands/interchange.ts';
import { reportCommand } from './commands/report.ts';
import type { CliCommand } from './commands/types.ts';
import { errorMessage } from '../../shared/base/errors.ts';

const commands: Record<string, CliCommand> = {
  analyze: analyzeCommand,
  bundle: bundleCommand,
  case: caseCommand,
  export: exportCommand,
  identity: identityCommand,
  import: importCommand,
  report: reportCommand,
};

function usage(): string {
  return [
    'usage: tessera <command> [options]',
    '',
    ...Object.entries(commands).map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`),
  ].join('\n');
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`tessera: unknown command '${name}'\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    console.error(`tessera ${name}: ${errorMessage(error)}`);
    return 1;
  }
}
