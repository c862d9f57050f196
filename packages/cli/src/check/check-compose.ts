/**
 * `tillwatch check` for the generated compose file (`compose/compose.yaml`): Docker is not needed, so it goes as far
 * as a schema and the stack's own consistency.
 *
 * 1. The file is validated against the official compose-spec JSON schema (compose_spec.json of
 *    github.com/compose-spec/compose-spec, as shipped by the maintained `dclint` package) with ajv.
 * 2. Consistency: every bind-mounted path exists (relative to the compose file); host ports are unique; every
 *    `depends_on` names a service; every named volume is declared; the hosts Prometheus scrapes and alerts, the
 *    Grafana datasource and the Alertmanager webhooks point at services of the file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);

let validator: ValidateFunction | undefined;

/** The compose-spec schema validator (compiled once). */
function composeSchema(): ValidateFunction {
  if (validator === undefined) {
    const schemaFile = join(dirname(require.resolve('dclint/package.json')), 'schemas', 'compose.schema.json');
    const { $schema: metaSchema, ...schema } = JSON.parse(readFileSync(schemaFile, 'utf8')) as Record<string, unknown>;
    // Draft-07, which is ajv's default draft; the file names its meta-schema by an https URL ajv does not know
    // (it registers http://json-schema.org/draft-07/schema), so the reference is dropped rather than fetched.
    if (typeof metaSchema !== 'string' || !metaSchema.includes('draft-07')) throw new Error(`${schemaFile}: expected a draft-07 schema, got ${String(metaSchema)}`);
    validator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return validator;
}

function schemaErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
}

interface ComposeService {
  image?: string;
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  ports?: (string | number | { published?: string | number; target?: number })[];
  depends_on?: string[] | Record<string, unknown>;
}

interface ComposeFile {
  services?: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** host and port of "http://host:port/..." or "host:port". */
function hostOf(addr: string): string {
  const withScheme = /^[a-z]+:\/\//.test(addr) ? addr : `http://${addr}`;
  return new URL(withScheme).hostname;
}

/** The host port of a port mapping ("9090:9090", "127.0.0.1:9090:9090", { published }); undefined when none is published. */
function hostPort(p: string | number | { published?: string | number }): string | undefined {
  if (typeof p === 'object') return p.published === undefined ? undefined : String(p.published);
  const parts = String(p).split('/')[0]!.split(':');
  return parts.length >= 2 ? parts[parts.length - 2] : undefined;
}

/** Problems of the compose file's consistency (not its schema). */
export function composeConsistency(file: string, doc: ComposeFile): string[] {
  const dir = dirname(file);
  const problems: string[] = [];
  const services = doc.services ?? {};
  const names = Object.keys(services);
  const ports = new Map<string, string>();
  for (const [name, s] of Object.entries(services)) {
    for (const v of s.volumes ?? []) {
      const source = typeof v === 'string' ? v.split(':')[0]! : v.source ?? '';
      const bind = typeof v === 'string' ? /^[./~]/.test(source) : v.type === 'bind';
      if (bind) {
        if (!existsSync(resolve(dir, source))) problems.push(`services.${name}.volumes: ${source} does not exist (relative to ${dir})`);
      } else if (source !== '' && !(source in (doc.volumes ?? {}))) problems.push(`services.${name}.volumes: named volume ${source} is not declared under volumes`);
    }
    for (const p of s.ports ?? []) {
      const hp = hostPort(p);
      if (hp === undefined) continue;
      const other = ports.get(hp);
      if (other !== undefined) problems.push(`host port ${hp} is published by both ${other} and ${name}`);
      else ports.set(hp, name);
    }
    const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
    for (const d of deps) if (!names.includes(d)) problems.push(`services.${name}.depends_on: ${d} is not a service of this file`);
  }
  const mustBeService = (where: string, addr: string) => {
    const host = hostOf(addr);
    if (!names.includes(host)) problems.push(`${where}: ${addr} points at ${host}, which is not a service of the compose file (${names.join(', ')})`);
  };
  const prom = join(dir, 'prometheus.yml');
  if (existsSync(prom)) {
    const cfg = parse(readFileSync(prom, 'utf8')) as { scrape_configs?: { static_configs?: { targets?: string[] }[] }[]; alerting?: { alertmanagers?: { static_configs?: { targets?: string[] }[] }[] } };
    for (const sc of cfg.scrape_configs ?? []) for (const st of sc.static_configs ?? []) for (const t of st.targets ?? []) mustBeService('prometheus.yml scrape target', t);
    for (const am of cfg.alerting?.alertmanagers ?? []) for (const st of am.static_configs ?? []) for (const t of st.targets ?? []) mustBeService('prometheus.yml alertmanager', t);
  }
  const am = join(dir, 'alertmanager.yml');
  if (existsSync(am)) {
    const cfg = parse(readFileSync(am, 'utf8')) as { receivers?: { name: string; webhook_configs?: { url: string }[] }[] };
    for (const r of cfg.receivers ?? []) for (const w of r.webhook_configs ?? []) mustBeService(`alertmanager.yml receiver ${r.name}`, w.url);
  }
  const datasources = join(dir, '..', 'grafana', 'provisioning', 'datasources');
  if (existsSync(datasources)) {
    for (const f of readdirSync(datasources).filter((x) => x.endsWith('.yml') || x.endsWith('.yaml'))) {
      const cfg = parse(readFileSync(join(datasources, f), 'utf8')) as { datasources?: { name: string; url?: string }[] };
      for (const d of cfg.datasources ?? []) if (d.url !== undefined) mustBeService(`grafana datasource ${d.name}`, d.url);
    }
  }
  return problems;
}

/** Checks `<bundle>/compose/compose.yaml`; undefined when the bundle has none. */
export function checkCompose(bundleDir: string): { ok: boolean; output: string } | undefined {
  const file = join(bundleDir, 'compose', 'compose.yaml');
  if (!existsSync(file)) return undefined;
  let doc: ComposeFile;
  try {
    doc = parse(readFileSync(file, 'utf8')) as ComposeFile;
  } catch (err) {
    return { ok: false, output: `compose/compose.yaml: not YAML: ${(err as Error).message}` };
  }
  const validate = composeSchema();
  const problems = validate(doc) ? [] : schemaErrors(validate.errors).map((e) => `compose-spec schema: ${e}`);
  problems.push(...composeConsistency(file, doc));
  const n = Object.keys(doc.services ?? {}).length;
  return problems.length > 0 ? { ok: false, output: problems.map((p) => `compose/compose.yaml: ${p}`).join('\n') } : { ok: true, output: `${n} services valid and consistent` };
}
