// This project's consumer with its defaults, started through startService exactly as
// `npm run consume` starts it; only the emulator credentials and the log file are local.
import pino from 'pino';
import { loadConfig } from '../../service/config.js';
import { LOCAL_CREDENTIALS } from '../../service/local/queues.js';
import { createLogger } from '../../service/logger.js';
import { startService } from '../../service/service.js';
import type { StartContender } from './contender.js';

export const startConsumer: StartContender = async (context) => {
  const config = loadConfig(context.consumerEnv);
  const destination = pino.destination({ dest: context.logFile, sync: false, append: true });
  const logger = createLogger({ level: config.logLevel, name: config.serviceName, destination });
  const service = await startService(config, {
    logger,
    credentials: LOCAL_CREDENTIALS,
    metricsSink: (line) => destination.write(`${line}\n`),
  });
  return {
    async stop() {
      const { clean } = await service.stop();
      if (!clean) throw new Error('the consumer did not stop cleanly');
      destination.flushSync();
      const m = service.metrics.snapshot();
      const quarantined = Object.values(m.quarantined).reduce((a, b) => a + b, 0);
      return { received: m.received, deleted: m.written + m.duplicatesSkipped + quarantined, written: m.written };
    },
  };
};
