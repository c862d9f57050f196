// tillwatch on NestJS 11 (Express platform). Decorators are applied as functions so Node can run this file as-is
// (a Nest project compiled by tsc writes them as @Controller and @Get: see the README).
// Run from the repo root: node -C tillwatch-source examples/nestjs/server.ts
// It listens on PORT (default: a free port) and prints where; then curl <url>/api/orders/7 and <url>/metrics.
import 'reflect-metadata';
import { Controller, Get, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createTillwatch } from 'tillwatch';
import { TillwatchNestModule, TillwatchNestLogger } from 'tillwatch/nestjs';

const tw = createTillwatch({ service: { name: 'example-nestjs' } });
class OrdersController {
  get(id: string) {
    return { id };
  }
}
Controller('orders')(OrdersController);
Get(':id')(OrdersController.prototype, 'get', Object.getOwnPropertyDescriptor(OrdersController.prototype, 'get')!);
Param('id')(OrdersController.prototype, 'get', 0);
class AppModule {}
Module({ imports: [TillwatchNestModule.forRoot(tw)], controllers: [OrdersController] })(AppModule);

const app = await NestFactory.create(AppModule, { logger: new TillwatchNestLogger(tw) });
app.setGlobalPrefix('api');
await app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
await tw.attach(app.getHttpServer());
tw.markStarted();
console.log(`example-nestjs listening on ${await app.getUrl()} (try /api/orders/7, /metrics, /health/ready)`);
