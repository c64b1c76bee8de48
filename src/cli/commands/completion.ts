/** `lstm completion bash|zsh|fish`: its options and help; run/completion.ts runs it. */
import { Argument, type Command } from 'commander';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export function register(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script for lstm, made from its own command definitions')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .addHelpText(
      'after',
      `
Install:
  bash   lstm completion bash > ~/.local/share/bash-completion/completions/lstm
  zsh    lstm completion zsh > "\${fpath[1]}/_lstm"    (then restart zsh)
  fish   lstm completion fish > ~/.config/fish/completions/lstm.fish`,
    )
    .action(async (shell: Shell) => {
      const { run } = await import('../run/completion.js');
      return run(program, shell);
    });
}
