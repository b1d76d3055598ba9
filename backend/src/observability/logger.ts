import pino, { type Logger, type LoggerOptions } from 'pino';

/**
 * pino JSON logs. Secrets (authorization headers, keys, passwords) and the configured
 * PII keys are redacted wherever they appear one or two levels deep, and inside
 * event properties (seed: Phase 1.1 "PII redaction middleware").
 */
export function redactPaths(piiKeys: string[]): string[] {
  const secrets = ['authorization', 'password', 'api_key', 'apiKey', 'key', 'secret', 'token'];
  const paths = [
    'req.headers.authorization',
    'req.headers.cookie',
    'req.headers["x-api-key"]',
    'headers.authorization',
  ];
  for (const k of [...secrets, ...piiKeys]) {
    const p = /^[A-Za-z_$][\w$]*$/.test(k) ? k : `["${k}"]`;
    const dot = p.startsWith('[') ? p : `.${p}`;
    paths.push(p.startsWith('[') ? `*${p}` : `*${dot}`, `properties${dot}`, `*.properties${dot}`, `event.properties${dot}`);
    if (!p.startsWith('[')) {
      paths.push(p);
    }
  }
  return [...new Set(paths)];
}

export function createLogger(level: string, piiKeys: string[], destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'caas-observatory-backend' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactPaths(piiKeys), censor: '[REDACTED]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
