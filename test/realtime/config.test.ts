import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('realtime configuration (WS_*)', () => {
  const base = { NODE_ENV: 'test', DATA_DIR: '/tmp/md-config-test' };

  it('has safe defaults', () => {
    expect(loadConfig(base).ws).to.deep.equal({
      heartbeatMs: 30000,
      maxPayloadBytes: 65536,
      maxConnectionsPerUser: 10,
      rateLimit: { perSecond: 50, burst: 200 },
      maxBufferedBytes: 1048576,
      redisPrefix: 'mentor-dashboard:ws:',
      signalLimit: { bytesPerSecond: 65536, burstBytes: 262144, targetBytesPerSecond: 262144 },
      upgradeTimeoutMs: 10000,
    });
    expect(loadConfig(base).http).to.deep.equal({ idleTimeoutMs: 10000, headersTimeoutMs: 10000, requestTimeoutMs: 30000, keepAliveTimeoutMs: 5000 });
  });

  it('reads every variable', () => {
    const ws = loadConfig({
      ...base,
      WS_HEARTBEAT_MS: '5000',
      WS_MAX_PAYLOAD_BYTES: '32768',
      WS_MAX_CONNECTIONS_PER_USER: '3',
      WS_RATE_LIMIT: '5',
      WS_RATE_BURST: '10',
      WS_MAX_BUFFERED_BYTES: '4096',
      WS_REDIS_PREFIX: 'staging:ws:',
      WS_SIGNAL_BYTES_PER_SECOND: '2048',
      WS_SIGNAL_BURST_BYTES: '40000',
      WS_SIGNAL_TARGET_BYTES_PER_SECOND: '8192',
      WS_UPGRADE_TIMEOUT_MS: '3000',
    }).ws;
    expect(ws).to.deep.equal({
      heartbeatMs: 5000,
      maxPayloadBytes: 32768,
      maxConnectionsPerUser: 3,
      rateLimit: { perSecond: 5, burst: 10 },
      maxBufferedBytes: 4096,
      redisPrefix: 'staging:ws:',
      signalLimit: { bytesPerSecond: 2048, burstBytes: 40000, targetBytesPerSecond: 8192 },
      upgradeTimeoutMs: 3000,
    });
  });

  it('refuses bad values, naming the variable', () => {
    for (const [name, value] of [
      ['WS_HEARTBEAT_MS', '10'],
      ['WS_MAX_PAYLOAD_BYTES', '64k'],
      ['WS_MAX_CONNECTIONS_PER_USER', '0'],
      ['WS_RATE_LIMIT', '-1'],
      ['WS_RATE_BURST', '1.5'],
      ['WS_MAX_BUFFERED_BYTES', '12'],
      ['WS_REDIS_PREFIX', 'has space'],
      ['WS_SIGNAL_BURST_BYTES', '2048'],
      ['WS_UPGRADE_TIMEOUT_MS', '0'],
      ['HTTP_IDLE_TIMEOUT_MS', 'soon'],
      ['HTTP_HEADERS_TIMEOUT_MS', '40000'],
    ]) {
      expect(() => loadConfig({ ...base, [name!]: value! }), name).to.throw(ConfigError, name!);
    }
  });
});
