/**
 * The catalogue a deploy config's rules, SLOs and docs derive from: tillwatch's built-in catalogue plus the
 * service's own (`catalogue` in the config, built with `defineCatalogue`). The service's metrics are checked
 * with the same rules as the built-in ones, and may not take a name, or a group key and metric key, that the
 * built-in catalogue already uses.
 */
import {
  catalogue as builtin,
  mergeCatalogues,
  SPEC_VERSION,
  validateCatalogue,
  type AlertSpecProblem,
  type Catalogue,
} from '@tillwatch/spec';

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The union the config may read, and every problem with the service's part of it.
 * @param own the config's `catalogue` (unknown: not type-checked at run time); undefined for none.
 */
export function serviceCatalogue(own: unknown): { readonly catalogue: Catalogue; readonly problems: AlertSpecProblem[] } {
  if (own === undefined) return { catalogue: builtin, problems: [] };
  const bad = (path: string, message: string): AlertSpecProblem => ({ path, code: 'TW_ERR_ALERTS_INVALID_SPEC', message });
  if (!isObj(own) || own.version !== SPEC_VERSION || !isObj(own.groups) || !isObj(own.metrics)) {
    return { catalogue: builtin, problems: [bad('catalogue', `must be a catalogue built with defineCatalogue() (version ${SPEC_VERSION}, groups and metrics)`)] };
  }
  const cat = own as unknown as Catalogue;
  const problems: AlertSpecProblem[] = [];
  for (const [group, handles] of Object.entries(cat.metrics)) {
    for (const key of Object.keys(handles)) {
      if ((builtin.metrics as Catalogue['metrics'])[group]?.[key] !== undefined) {
        problems.push(bad(`catalogue.${group}.${key}`, `${group}.${key} is already a metric of the built-in catalogue; use another key or group`));
      }
    }
  }
  const union = mergeCatalogues(builtin, cat);
  for (const p of validateCatalogue(union)) problems.push(bad(`catalogue (${p.metric})`, p.problem));
  return { catalogue: union, problems };
}
