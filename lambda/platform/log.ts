/**
 * The one logger. Lines are single JSON objects (CloudWatch Logs Insights queries them) and never
 * carry request headers (Authorization), passwords or bodies (calendar contents).
 */
export type LogLevel = 'info' | 'error';
export type Logger = (level: LogLevel, message: string, fields: Record<string, unknown>) => void;

export const logLine: Logger = (level, message, fields) => {
  const line = JSON.stringify({ level, message, time: new Date().toISOString(), ...fields });
  if (level === 'error') console.error(line);
  else console.log(line);
};

export const silentLogger: Logger = () => {};

/** An error as one line for logs and stored reasons: its name and message, never a stack. */
export const errorText = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));
