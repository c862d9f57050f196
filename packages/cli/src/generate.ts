/** `tillwatch generate`: loader -> model -> pipeline -> writers -> files. */
import { mkdirSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadConfig } from './load/load-config.ts';
import { buildModel } from './model/build-model.ts';
import type { Model } from './model/model.ts';
import { runPipeline } from './pipeline/pipeline.ts';
import { ruleFileGroups, type RuleFileGroupData } from './render/rules-files.ts';
import { renderBundle } from './render/writers.ts';

/** Directories the generator owns entirely: stale files in them are removed. */
const OWNED_DIRS = ['prometheus/rules', 'prometheus/tests'];

/** Builds the model of a loaded config (validated). */
export function modelOf(raw: unknown, source: string): Model {
  return runPipeline(buildModel(raw, source));
}

/** Loads, validates and renders a config; returns relative path -> content. */
export async function generateBundle(configFile: string): Promise<Map<string, string>> {
  return renderBundle(modelOf(await loadConfig(configFile), configFile));
}

/**
 * The Prometheus rule groups a config generates, as plain data (the content of prometheus/rules/*.yml): what a
 * service hands to tillwatch/windows to evaluate the same rules in process.
 */
export async function generateRuleGroups(configFile: string): Promise<RuleFileGroupData[]> {
  return [...ruleFileGroups(modelOf(await loadConfig(configFile), configFile)).values()].flat();
}

/** Writes a bundle under `outDir`, removing stale generated rule and test files. */
export function writeBundle(files: Map<string, string>, outDir: string): void {
  for (const d of OWNED_DIRS) {
    const dir = join(outDir, d);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) if (f.endsWith('.yml') && !files.has(`${d}/${f}`)) rmSync(join(dir, f));
  }
  for (const [rel, content] of files) {
    const path = join(outDir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
}
