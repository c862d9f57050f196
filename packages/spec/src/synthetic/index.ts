export { defineJourney, STORE_CHECKOUT_JOURNEY } from './journey-spec.ts';
export type { JourneySpec, JourneyStepSpec } from './journey-spec.ts';
