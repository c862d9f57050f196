/** Loads a deploy config: a TypeScript (or JavaScript) module whose default export is the config. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CliError } from '../cli-error.ts';

/**
 * Imports the config file and returns its default export, unvalidated.
 * @throws CliError TW_ERR_ALERTS_CONFIG_LOAD when the file is missing, fails to import or has no default export.
 */
export async function loadConfig(file: string): Promise<unknown> {
  const path = resolve(file);
  if (!existsSync(path)) throw new CliError('TW_ERR_ALERTS_CONFIG_LOAD', `could not load config ${file}: no such file`);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (cause) {
    throw new CliError('TW_ERR_ALERTS_CONFIG_LOAD', `could not load config ${file}: ${(cause as Error).message}`, { cause });
  }
  if (mod.default === undefined) throw new CliError('TW_ERR_ALERTS_CONFIG_LOAD', `could not load config ${file}: it has no default export (export default { version: 'tillwatch/v1', ... })`);
  return mod.default;
}
