export {
  type AppContext,
  createApp,
  type LifecycleState,
  type RouteHandler,
  type ServiceSpec,
} from './app.js';
export { ConfigError, readConfig, type ServiceConfig } from './config.js';
export { createLogger, type Fields, type Logger } from './log.js';
export { type RunningService, runService, type StartOptions, startService } from './server.js';
