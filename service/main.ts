// `npm run consume` / `node dist/service/main.js`: the consumer as it runs in the container.
// Exit codes: 0 after a graceful stop, 2 for bad configuration or keys, 1 for anything else at start,
// 128+signal when a second signal forces the exit.
import { loadConfig } from './config.js';
import { ConfigError } from './errors.js';
import { KeysetError } from './keys.js';
import { createLogger } from './logger.js';
import { startService } from './service.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, name: config.serviceName });
  let service;
  try {
    service = await startService(config, { logger });
  } catch (error) {
    if (error instanceof KeysetError || error instanceof ConfigError) {
      logger.fatal({ error: error.message }, 'cannot start: bad masking keys or configuration');
      process.exitCode = 2;
      logger.flush();
      setTimeout(() => process.exit(2), 100).unref();
      return;
    }
    throw error;
  }

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now; unflushed messages reappear after their visibility timeout');
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    }
    logger.info({ signal }, 'stopping: draining what is in hand');
    void service.stop().then(({ clean }) => {
      logger.info({ clean }, 'stopped');
      logger.flush();
      process.exit(0);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

process.on('unhandledRejection', (reason) => {
  console.error(JSON.stringify({ level: 'fatal', msg: 'unhandled rejection', error: reason instanceof Error ? reason.message : String(reason) }));
  process.exit(1);
});

main().catch((error: unknown) => {
  console.error(JSON.stringify({ level: 'fatal', msg: 'start-up failed', error: error instanceof Error ? error.message : String(error) }));
  process.exit(1);
});
