/**
 * A flag or environment variable has an invalid value, or the command line
 * cannot be read. Each binary turns it into its own ConfigError (exit code 2).
 */
export class FlagError extends Error {
  constructor(
    /** What the user wrote: `--flag`, an environment variable, or the stray argument. */
    readonly setting: string,
    /** What is wrong, to read after "<setting>: ". */
    readonly problem: string,
    /** The whole sentence, when "<setting>: <problem>" does not read well. */
    message = `${setting}: ${problem}`,
  ) {
    super(message);
    this.name = 'FlagError';
  }
}
