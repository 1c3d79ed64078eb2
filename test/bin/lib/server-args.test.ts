import { describe, expect, it } from 'vitest';
import { serverArgs } from '../../../bin/lib/server-args';

describe('serverArgs', () => {
  it('reads flags over the environment', () => {
    expect(serverArgs(['--port', '8080', '--data-dir', '/d'], { CALDAV_PORT: '9', CALDAV_HOST: '0.0.0.0' })).toMatchObject({ port: 8080, host: '0.0.0.0', dataDir: '/d' });
    expect(serverArgs(['--help'], {})).toBeNull();
  });

  it('says to put flags after -- when npm took them (npm start --port 5433)', () => {
    // What npm 11 hands the script: the value as an argument, the flag as npm_config_port=true.
    expect(() => serverArgs(['5433'], { npm_config_port: 'true' })).toThrow(/^npm took --port for itself: put the server's flags after --, e\.g\. npm start -- --port 5433/);
    expect(() => serverArgs(['x'], {})).toThrow(/Unexpected argument 'x'/);
  });

  it('refuses a port that is not one', () => {
    expect(() => serverArgs(['--port', 'http'], {})).toThrow(/--port wants a port number from 0 to 65535, got "http"/);
    expect(() => serverArgs([], { CALDAV_PORT: '70000' })).toThrow(/--port wants a port number/);
  });
});
