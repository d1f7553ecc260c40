// The Node floor for the proxy's idle memory: a process that loads the builtins an idle proxy has
// loaded and does the same kinds of work (three listeners and an HTTP admin server, a TLS context
// from its certificate, an X.509 parse and, with an address, one HTTP/2 call as a control-plane
// client makes), without any proxy code. bench/proxy-bench.ts prints its RSS next to the proxies'.
// Usage: node bench/node-floor.cjs <cert.pem> <key.pem> <ca.pem> [h2-host:port]
'use strict';
const net = require('node:net');
const tls = require('node:tls');
const http = require('node:http');
const { X509Certificate, createPrivateKey } = require('node:crypto');
const { readFileSync } = require('node:fs');

const [certFile, keyFile, caFile, h2Address] = process.argv.slice(2);
for (let i = 0; i < 3; i++) net.createServer({ pauseOnConnect: true }, (s) => s.destroy()).listen(0, '127.0.0.1');
http.createServer((_, res) => res.end()).listen(0, '127.0.0.1');
const [cert, key, ca] = [certFile, keyFile, caFile].map((f) => readFileSync(f));
tls.createSecureContext({ cert, key, ca });
new X509Certificate(cert).checkHost('floor');
createPrivateKey(key);
if (h2Address !== undefined) {
  const session = require('node:http2').connect(`http://${h2Address}`);
  const req = session.request({ ':path': '/' });
  req.resume();
  req.on('end', () => session.close());
}
process.stdout.write('ready\n');
