/** `lstm completion bash|zsh|fish`: its options and help; run/completion.ts runs it. */
import { Argument, type Command } from 'commander';
import { examples } from '../help.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export function register(program: Command): void {
  const command = program
    .command('completion')
    .description('print a shell completion script for lstm, made from its own command definitions')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS));
  examples(command, [
    ['install for bash', 'lstm completion bash > ~/.local/share/bash-completion/completions/lstm'],
    ['install for zsh (then restart zsh)', `lstm completion zsh > "\${fpath[1]}/_lstm"`],
    ['install for fish', 'lstm completion fish > ~/.config/fish/completions/lstm.fish'],
  ]).action(async (shell: Shell) => {
    const { run } = await import('../run/completion.js');
    return run(program, shell);
  });
}
