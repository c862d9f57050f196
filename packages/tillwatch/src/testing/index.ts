export { LogSink, logSink } from './log-sink.ts';
