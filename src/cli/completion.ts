/**
 * Shell completion scripts generated from the command definitions themselves (one home:
 * a new option completes the moment it is declared): commands, each command's options, an
 * option's choices, and file names where a command takes paths.
 */
import type { Command, Option } from 'commander';
import type { Shell } from './commands/completion.js';

type Spec = {
  name: string;
  description: string;
  /** `paths`: the value is a file or directory (its placeholder says so: <dir>, <file>, <path>, <model>...). */
  options: { flags: string[]; description: string; value: boolean; paths: boolean; choices?: readonly string[] }[];
  files: boolean;
};

/** What completion needs of a program: its commands, their options and whether they take files. */
function specsOf(program: Command): { global: Spec['options']; commands: Spec[] } {
  const optionsOf = (cmd: Command) =>
    [...cmd.options.filter((o: Option) => !o.hidden), ...(cmd.name() === program.name() ? [] : [helpOption])].map(
      (o) => ({
        flags: [o.short, o.long].filter((f): f is string => Boolean(f)),
        description: oneLine(o.description),
        value: o.required || o.optional,
        paths: /<[^>]*(dir|file|path|model|corpus|svg|html)[^>]*>/i.test(o.flags),
        choices: o.argChoices,
      }),
    );
  const commands = program.commands
    .filter((c) => c.name() !== 'help')
    .map((c) => ({
      name: c.name(),
      description: oneLine(c.description()),
      options: optionsOf(c),
      files: c.registeredArguments.length > 0,
    }));
  return { global: optionsOf(program), commands };
}
const helpOption = { short: '-h', long: '--help', description: 'display help for command', required: false } as Option;

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
const single = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The completion script for `shell`, for the program named `program.name()`. */
export function completionScript(program: Command, shell: Shell): string {
  const specs = specsOf(program);
  if (shell === 'bash') return bash(program.name(), specs);
  if (shell === 'zsh') return zsh(program.name(), specs);
  return fish(program.name(), specs);
}

function bash(name: string, { global, commands }: ReturnType<typeof specsOf>): string {
  const fn = `_${name.replace(/\W/g, '_')}_complete`;
  const words = (opts: Spec['options']) => opts.flatMap((o) => o.flags).join(' ');
  const choices = commands.flatMap((c) =>
    c.options
      .filter((o) => o.choices)
      .flatMap((o) =>
        o.flags.map(
          (f) => `      ${c.name}:${f}) COMPREPLY=($(compgen -W ${single(o.choices!.join(' '))} -- "$cur")); return ;;`,
        ),
      ),
  );
  const flagsWhere = (pick: (o: Spec['options'][number]) => boolean) =>
    commands.flatMap((c) => c.options.filter(pick).flatMap((o) => o.flags.map((f) => `${c.name}:${f}`))).join(' ');
  return `# bash completion for ${name}: source it, or put it in ~/.local/share/bash-completion/completions/${name}
${fn}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} cmd="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case \${COMP_WORDS[i]} in -*) ;; *) cmd=\${COMP_WORDS[i]}; break ;; esac
  done
  if [[ -z $cmd ]]; then
    COMPREPLY=($(compgen -W ${single(`${commands.map((c) => c.name).join(' ')} help ${words(global)}`)} -- "$cur"))
    return
  fi
  case "$cmd:$prev" in
${choices.join('\n')}
  esac
  case " ${flagsWhere((o) => o.paths)} " in *" $cmd:$prev "*) COMPREPLY=($(compgen -f -- "$cur")); return ;; esac
  case " ${flagsWhere((o) => o.value && !o.paths)} " in *" $cmd:$prev "*) COMPREPLY=(); return ;; esac
  if [[ $cur == -* ]]; then
    case $cmd in
${commands.map((c) => `      ${c.name}) COMPREPLY=($(compgen -W ${single(words(c.options))} -- "$cur")) ;;`).join('\n')}
    esac
  else
    case $cmd in
${commands.map((c) => `      ${c.name}) ${c.files ? 'COMPREPLY=($(compgen -f -- "$cur"))' : 'COMPREPLY=()'} ;;`).join('\n')}
      help) COMPREPLY=($(compgen -W ${single(commands.map((c) => c.name).join(' '))} -- "$cur")) ;;
    esac
  fi
}
complete -o filenames -F ${fn} ${name}
`;
}

const zshEscape = (s: string) =>
  s
    .replace(/\\/g, '\\\\')
    .replace(/'/g, `'\\''`)
    .replace(/[[\]:]/g, '\\$&');

function zsh(name: string, { commands }: ReturnType<typeof specsOf>): string {
  const option = (o: Spec['options'][number]) => {
    const value = o.value
      ? o.choices
        ? `:value:(${o.choices.join(' ')})`
        : o.paths
          ? ':path:_files'
          : ':value: '
      : '';
    const spec = (f: string) => `'${f}[${zshEscape(o.description)}]${value}'`;
    return o.flags.length > 1
      ? `'(${o.flags.join(' ')})'{${o.flags.join(',')}}'[${zshEscape(o.description)}]${value}'`
      : spec(o.flags[0]);
  };
  const cases = commands.map(
    (c) =>
      `    (${c.name}) _arguments -s ${[...c.options.map(option), ...(c.files ? [`'*:file:_files'`] : [])].join(' ')} ;;`,
  );
  return `#compdef ${name}
# zsh completion for ${name}: put it on your $fpath as _${name}, or source it after compinit
_${name}() {
  local -a commands
  commands=(${commands.map((c) => single(`${c.name}:${c.description.replace(/:/g, '\\:')}`)).join(' ')})
  if (( CURRENT == 2 )); then
    _describe -t commands '${name} command' commands
    return
  fi
  local cmd=$words[2]
  shift words
  (( CURRENT-- ))
  case $cmd in
${cases.join('\n')}
    (help) _describe -t commands '${name} command' commands ;;
  esac
}
compdef _${name} ${name}
`;
}

function fish(name: string, { global, commands }: ReturnType<typeof specsOf>): string {
  const flagArgs = (o: Spec['options'][number]) =>
    o.flags.map((f) => (f.startsWith('--') ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`)).join(' ');
  const value = (o: Spec['options'][number]) =>
    o.choices ? ` -x -a ${single(o.choices.join(' '))}` : o.paths ? ' -r -F' : o.value ? ' -x' : '';
  const lines = [
    `# fish completion for ${name}: put it in ~/.config/fish/completions/${name}.fish`,
    `complete -c ${name} -f`,
    ...commands.map((c) => `complete -c ${name} -n __fish_use_subcommand -a ${c.name} -d ${single(c.description)}`),
    ...global.map(
      (o) => `complete -c ${name} -n __fish_use_subcommand ${flagArgs(o)}${value(o)} -d ${single(o.description)}`,
    ),
  ];
  for (const c of commands) {
    const when = `-n '__fish_seen_subcommand_from ${c.name}'`;
    if (c.files) lines.push(`complete -c ${name} ${when} -F`);
    for (const o of c.options)
      lines.push(`complete -c ${name} ${when} ${flagArgs(o)}${value(o)} -d ${single(o.description)}`);
  }
  return `${lines.join('\n')}\n`;
}
