/**
 * The retail team's own metrics: product recommendations and voice ordering, declared with the same typed
 * definitions as tillwatch's built-in catalogue. This file is one of the two a team edits to add a metric
 * with its alert (the other is tillwatch.config.ts); server.ts records through these handles and the
 * generator checks every rule against them.
 */
import { closedLabel, defineCatalogue, defineMetric } from '@tillwatch/spec';

/** Confidence buckets: fine enough that 0.5 (quality alert) and 0.7 (intent accuracy SLO) are boundaries. */
const CONFIDENCE_BUCKETS = [0.1, 0.3, 0.5, 0.7, 0.9, 1];

/** How a recommendation was produced: the collaborative model, or the popular-products fallback. */
const strategy = closedLabel('How the recommendations were produced.', ['collaborative', 'popular_fallback']);

/** What the voice assistant understood a command as. */
export const VOICE_INTENTS = ['order', 'add_item', 'remove_item', 'order_status', 'cancel', 'help'] as const;

export const retail = defineCatalogue({
  recommendations: {
    title: 'Recommendations',
    summary: 'Product recommendations shown to customers, and how confident the model was in them.',
    metrics: {
      served: defineMetric({
        name: 'recommendations_served_total',
        type: 'counter',
        unit: 'count',
        group: 'recommendations',
        owner: 'service',
        help: 'Recommendations served, by strategy.',
        question: 'How many recommendations per minute, and how many come from the popular-products fallback?',
        labels: { strategy },
      }),
      confidence: defineMetric({
        name: 'recommendation_confidence',
        type: 'histogram',
        unit: 'score',
        group: 'recommendations',
        owner: 'service',
        help: 'Confidence of each recommendation served, between 0 and 1, by strategy.',
        question: 'Is the model still confident in what it recommends (average above 0.5)?',
        labels: { strategy },
        buckets: CONFIDENCE_BUCKETS,
      }),
    },
  },
  voice: {
    title: 'Voice ordering',
    summary: 'Commands the voice assistant processed, how sure it was of their intent, and the orders they led to.',
    metrics: {
      commands: defineMetric({
        name: 'voice_commands_total',
        type: 'counter',
        unit: 'count',
        group: 'voice',
        owner: 'service',
        help: 'Voice commands processed, by the intent they were classified as.',
        question: 'What do customers ask the assistant for?',
        labels: { intent: closedLabel('Intent the command was classified as.', VOICE_INTENTS) },
      }),
      ordersCreated: defineMetric({
        name: 'voice_orders_created_total',
        type: 'counter',
        unit: 'count',
        group: 'voice',
        owner: 'service',
        help: 'Orders created from a voice command.',
        question: 'Do voice commands turn into orders (at least one order per ten commands)?',
        labels: {},
      }),
      intentConfidence: defineMetric({
        name: 'intent_confidence',
        type: 'histogram',
        unit: 'score',
        group: 'voice',
        owner: 'service',
        help: 'Confidence of the intent extracted from each voice command, between 0 and 1.',
        question: 'Does the assistant understand what customers say (confidence above 0.7)?',
        labels: {},
        buckets: CONFIDENCE_BUCKETS,
      }),
    },
  },
});
