/**
 * How every command's help reads (char-rnn's table of options by concern): options in
 * groups under a heading, a flag and its `--no-` form on one line, and examples at the end.
 * Light (commander only): `lstm --help` loads nothing else.
 */
import { type Command, Help, type HelpConfiguration, Option } from 'commander';

/** The headings options are grouped under, in the order a reader needs them. */
export const GROUP = {
  model: 'Model:',
  seed: 'Seed:',
  text: 'Text:',
  data: 'Data:',
  windows: 'Windows:',
  network: 'Network:',
  optimisation: 'Optimisation:',
  sampling: 'Sampling:',
  run: 'Run control:',
  output: 'Output:',
} as const;

type Heading = (typeof GROUP)[keyof typeof GROUP];

/**
 * Puts each named option (by its long flag) under its heading; `-h, --help` goes under the
 * last one. Every option of `cmd` must be named once: a new option without a group fails
 * the help tests rather than landing in a stray list.
 */
export function groupOptions(cmd: Command, groups: [Heading, string[]][]): Command {
  const named = new Map(groups.flatMap(([heading, flags]) => flags.map((flag) => [flag, heading] as const)));
  for (const option of cmd.options) {
    const heading = named.get(option.long ?? '');
    if (!heading) throw new Error(`lstm ${cmd.name()}: ${option.flags} has no help group`);
    option.helpGroup(heading);
    named.delete(option.long ?? '');
  }
  if (named.size) throw new Error(`lstm ${cmd.name()}: no option ${[...named.keys()].join(', ')} to group`);
  const last = groups.at(-1)![0];
  return cmd.addHelpOption(new Option('-h, --help', 'display help for command').helpGroup(last));
}

/**
 * Examples at the end of a command's help: each what it does (as a shell comment) above a
 * command line that works as written, so either can be copied.
 */
export function examples(cmd: Command, lines: [what: string, commandLine: string][]): Command {
  const shown = lines.map(([what, line]) => `  # ${what}\n  ${line}`);
  return cmd.addHelpText('after', `\nExamples:\n${shown.join('\n')}`);
}

/**
 * A flag and its `--no-` form as one entry (`--[no-]stateful`), each form's
 * description in turn; their descriptions say which is the default, so commander's
 * `(default: false)` is left out.
 */
function visibleOptions(this: Help, cmd: Command): Option[] {
  const all = Help.prototype.visibleOptions.call(this, cmd);
  const negated = (option: Option) =>
    all.find((o) => o.negate && !option.negate && o.attributeName() === option.attributeName());
  return all.flatMap((option) => {
    if (option.negate && all.some((o) => !o.negate && negated(o) === option)) return [];
    const no = negated(option);
    if (!no) return [option];
    // Shown only: the options themselves parse and complete as defined.
    const pair = new Option(option.flags, `${option.description}; ${no.long}: ${no.description}`);
    // `--[no-]x`, short enough that commander still wraps the descriptions beside it at 80 columns.
    pair.flags = option.flags === option.long ? option.long.replace(/^--/, '--[no-]') : `${option.flags}, ${no.long}`;
    if (option.helpGroupHeading) pair.helpGroup(option.helpGroupHeading);
    return [pair];
  });
}

/** Required options say so (commander only says it when one is missing). */
function optionDescription(this: Help, option: Option): string {
  const text = Help.prototype.optionDescription.call(this, option);
  return option.mandatory ? `${text} (required)` : text;
}

/** The groups in GROUP's order whichever option comes first (commander's: the first option's); others after. */
function groupItems<T extends Command | Option>(
  this: Help,
  unsorted: T[],
  visible: T[],
  getGroup: (item: T) => string,
): Map<string, T[]> {
  const order: readonly string[] = Object.values(GROUP);
  const rank = (heading: string) => (order.includes(heading) ? order.indexOf(heading) : order.length);
  const groups = Help.prototype.groupItems.call(
    this,
    unsorted,
    visible,
    getGroup as (item: Command | Option) => string,
  );
  return new Map([...groups].sort(([a], [b]) => rank(a) - rank(b))) as Map<string, T[]>;
}

/** Given to `program.configureHelp` before its commands are made: they inherit it. */
export const helpConfiguration: HelpConfiguration = { visibleOptions, optionDescription, groupItems };
