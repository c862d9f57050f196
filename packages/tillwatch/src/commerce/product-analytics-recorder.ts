/** `commerce.analytics`: feature flags, experiments and who calls the API. */
import { type DeviceClass, catalogue } from '@tillwatch/spec';
import { closedNormalizer, openValue, type LabelInput } from '../metrics/label-normalizer.ts';
import { neverThrow } from './never-throw.ts';
import type { RecorderContext } from './recorder-context.ts';

export interface FlagEvaluation {
  readonly flag: string;
  /** The variant served; a boolean records as on/off. */
  readonly variant: string | boolean;
}

export interface ExperimentEvent {
  readonly experiment: string;
  readonly variant: string;
}

export interface ApiRequest {
  /** API version the client asked for, e.g. v1; omitted: not counted. */
  readonly apiVersion?: string;
  /** Device class derived from the user agent; omitted: not counted. */
  readonly deviceClass?: LabelInput<DeviceClass>;
  /** Configured region or country code; omitted: not counted. */
  readonly region?: string;
}

export interface ProductAnalyticsRecorder {
  /** A feature flag was evaluated. Never throws. */
  flagEvaluated(event: FlagEvaluation): void;
  /** A subject was assigned to an experiment variant. Never throws. */
  experimentAssigned(event: ExperimentEvent): void;
  /** A subject in a variant reached the experiment's goal. Never throws. */
  experimentConverted(event: ExperimentEvent): void;
  /** One API request, by whichever of version, device class and region are known. Never throws. */
  request(event: ApiRequest): void;
}

/** Counts one API request by whichever of API version, device class and region are known (undefined: not counted). */
export type ApiRequestCounter = (apiVersion: string | undefined, deviceClass: LabelInput<DeviceClass> | undefined, region: string | undefined) => void;

/**
 * Registers the three who-calls-the-API counters and returns the function counting one request. The runtime's
 * HTTP instrumentation uses it directly (`metrics.clients`), {@link ProductAnalyticsRecorder.request} wraps it.
 * Throws only on registration (start-up); the returned function may throw on a runtime bug, callers guard it.
 */
export function createApiRequestCounter(ctx: Pick<RecorderContext, 'metrics'>): ApiRequestCounter {
  const m = catalogue.metrics.productAnalytics;
  const versions = ctx.metrics.register(m.apiVersionRequests);
  const devices = ctx.metrics.register(m.deviceClassRequests);
  const regions = ctx.metrics.register(m.regionRequests);
  const deviceOf = closedNormalizer(m.deviceClassRequests.labels.device_class);
  return (apiVersion, deviceClass, region) => {
    if (apiVersion !== undefined) versions.inc({ api_version: openValue(apiVersion) });
    if (deviceClass !== undefined) devices.inc({ device_class: deviceOf(deviceClass) });
    if (region !== undefined) regions.inc({ region: openValue(region) });
  };
}

export function createProductAnalyticsRecorder(ctx: RecorderContext): ProductAnalyticsRecorder {
  const m = catalogue.metrics.productAnalytics;
  const flags = ctx.metrics.register(m.flagEvaluations);
  const assignments = ctx.metrics.register(m.experimentAssignments);
  const conversions = ctx.metrics.register(m.experimentConversions);
  const count = createApiRequestCounter(ctx);
  return {
    flagEvaluated: neverThrow((e: FlagEvaluation) => flags.inc({ flag: openValue(e.flag), variant: openValue(e.variant) })),
    experimentAssigned: neverThrow((e: ExperimentEvent) => assignments.inc({ experiment: openValue(e.experiment), variant: openValue(e.variant) })),
    experimentConverted: neverThrow((e: ExperimentEvent) => conversions.inc({ experiment: openValue(e.experiment), variant: openValue(e.variant) })),
    request: neverThrow((e: ApiRequest) => count(e.apiVersion, e.deviceClass, e.region)),
  };
}
