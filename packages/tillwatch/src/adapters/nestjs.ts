/**
 * `tillwatch/nestjs`: NestJS 11 on the Express platform.
 *
 * ```ts
 * const tw = createTillwatch({ service: { name: 'pos-api' } });
 * Module({ imports: [TillwatchNestModule.forRoot(tw)], controllers: [OrdersController] })(AppModule);
 * const app = await NestFactory.create(AppModule, { logger: new TillwatchNestLogger(tw) });
 * ```
 *
 * Order matters, so the Express middleware is not applied through `MiddlewareConsumer`: Nest applies
 * module middleware in `app.init()`, after its body parsers and after everything `main.ts` passed to
 * `app.use()`, so a request rejected there would never be counted. Instead a provider of this module
 * calls `httpAdapter.use()` while Nest instantiates providers inside `NestFactory.create()`, which
 * makes tillwatch the first middleware on the Express app. Route templates come from the Express
 * adapter's `Route.prototype.dispatch` patch: Nest registers each handler on Express with its full
 * path (global prefix, version, controller prefix, method path), e.g. `/api/orders/:id`.
 */
import 'reflect-metadata';
import type { IncomingMessage } from 'node:http';
import {
  Catch,
  HttpException,
  Module,
  type ArgumentsHost,
  type DynamicModule,
  type ExceptionFilter,
  type LoggerService,
} from '@nestjs/common';
import { APP_FILTER, HttpAdapterHost } from '@nestjs/core';
import type { Logger } from 'pino';
import type { Tillwatch } from '../tillwatch.ts';
import { tillwatchExpress } from './express.ts';

/** Injection token of the tillwatch instance, for services that want `tw.logger` or `tw.health`. */
export const TILLWATCH = Symbol.for('tillwatch.nestjs.instance');
const MIDDLEWARE_INSTALLED = Symbol('tillwatch.nestjs.middleware');

/**
 * Catch-all exception filter, installed globally by {@link TillwatchNestModule.forRoot}. Replaces Nest's
 * built-in handler, which would log a non-HTTP error's stack itself: here the error is logged once
 * (`request failed`, with the correlation id) and reported, and the response keeps Nest's usual
 * shape: an HttpException answers with its status and body; anything else with
 * 500 `{ statusCode: 500, message: 'Internal server error' }`. HttpExceptions below 500 are the
 * client's mistake and are not logged as failures.
 */
export class TillwatchNestExceptionFilter implements ExceptionFilter {
  readonly #tw: Tillwatch;
  readonly #adapterHost: HttpAdapterHost;

  constructor(tw: Tillwatch, adapterHost: HttpAdapterHost) {
    this.#tw = tw;
    this.#adapterHost = adapterHost;
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') {
      // RPC and WebSocket contexts answer errors their own way; record it and let them.
      this.#tw.http.recordError(undefined, exception);
      throw exception;
    }
    const http = host.switchToHttp();
    const req = http.getRequest<IncomingMessage & { raw?: IncomingMessage }>();
    const res = http.getResponse<unknown>();
    const scope = this.#tw.http.scopeOf(req.raw ?? req);
    let status = 500;
    let body: unknown = { statusCode: 500, message: 'Internal server error' };
    if (exception instanceof HttpException) {
      status = exception.getStatus();
      const response = exception.getResponse();
      body = typeof response === 'object' && response !== null ? response : { statusCode: status, message: response };
    }
    if (status >= 500) this.#tw.http.recordError(scope, exception);
    const adapter = this.#adapterHost.httpAdapter;
    if (adapter.isHeadersSent(res)) {
      adapter.end(res);
      return;
    }
    adapter.reply(res, body, status);
  }
}
Catch()(TillwatchNestExceptionFilter);

/** Global module wiring tillwatch into a Nest app. Use {@link TillwatchNestModule.forRoot}. */
export class TillwatchNestModule {
  /**
   * Makes tillwatch the first Express middleware (management endpoints on the main port, request
   * scope, correlation id, RED metrics), installs {@link TillwatchNestExceptionFilter} as a global filter
   * and provides the instance under {@link TILLWATCH}. Global: import it once, in the root module.
   * @param tw the tillwatch instance.
   * @example
   * ```ts
   * import { Module } from '@nestjs/common';
   * import { createTillwatch } from 'tillwatch';
   * import { TillwatchNestModule } from 'tillwatch/nestjs';
   * const tw = createTillwatch({ service: { name: 'pos-api' } });
   * class AppModule {}
   * Module({ imports: [TillwatchNestModule.forRoot(tw)] })(AppModule);
   * ```
   */
  static forRoot(tw: Tillwatch): DynamicModule {
    return {
      module: TillwatchNestModule,
      global: true,
      providers: [
        { provide: TILLWATCH, useValue: tw },
        {
          provide: MIDDLEWARE_INSTALLED,
          inject: [HttpAdapterHost],
          useFactory: (adapterHost: HttpAdapterHost): boolean => {
            const adapter = adapterHost.httpAdapter as HttpAdapterHost['httpAdapter'] | undefined;
            if (!adapter) return false; // createApplicationContext: no HTTP server
            if (adapter.getType() !== 'express') {
              tw.logger.warn({ platform: adapter.getType() }, 'tillwatch/nestjs supports the Express platform only; HTTP requests are not instrumented');
              return false;
            }
            adapter.use(tillwatchExpress(tw));
            return true;
          },
        },
        {
          provide: APP_FILTER,
          inject: [HttpAdapterHost],
          useFactory: (adapterHost: HttpAdapterHost) => new TillwatchNestExceptionFilter(tw, adapterHost),
        },
      ],
      exports: [TILLWATCH],
    };
  }
}
Module({})(TillwatchNestModule);

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * A Nest LoggerService writing through `tw.logger`, so Nest's own lines (bootstrap, route mapping)
 * become JSON lines with the service fields and, inside a request, the correlation id. Nest's
 * trailing string argument becomes `context`; `error(message, stack, context)` keeps the stack.
 * @example
 * ```ts
 * const app = await NestFactory.create(AppModule, { logger: new TillwatchNestLogger(tw) });
 * ```
 */
export class TillwatchNestLogger implements LoggerService {
  readonly #logger: Logger;

  constructor(tw: Tillwatch) {
    this.#logger = tw.logger.child({ module: 'nest' });
  }

  log(message: unknown, ...optionalParams: unknown[]): void {
    this.#write('info', message, optionalParams);
  }
  error(message: unknown, ...optionalParams: unknown[]): void {
    this.#write('error', message, optionalParams);
  }
  warn(message: unknown, ...optionalParams: unknown[]): void {
    this.#write('warn', message, optionalParams);
  }
  debug(message: unknown, ...optionalParams: unknown[]): void {
    this.#write('debug', message, optionalParams);
  }
  verbose(message: unknown, ...optionalParams: unknown[]): void {
    this.#write('trace', message, optionalParams);
  }
  fatal(message: unknown, ...optionalParams: unknown[]): void {
    this.#write('fatal', message, optionalParams);
  }

  #write(level: Level, message: unknown, optionalParams: unknown[]): void {
    const params = optionalParams.filter((p) => p !== undefined);
    const fields: Record<string, unknown> = {};
    // Nest's Logger appends the context name as the last argument.
    if (params.length > 0 && typeof params[params.length - 1] === 'string') fields.context = params.pop();
    if (level === 'error' && typeof params[0] === 'string') fields.stack = params.shift();
    if (params.length > 0) fields.params = params;
    if (message instanceof Error) {
      fields.err = message;
      this.#logger[level](fields, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.#logger[level]({ ...fields, data: message });
    } else {
      this.#logger[level](fields, String(message));
    }
  }
}
