// The shared worker that holds the browser's one event stream for every tab
// of the UI (same origin, same UI version) and forwards each event to them.
// Browsers allow about six HTTP/1.1 connections per host; a stream per tab
// would let six tabs starve every other request of the seventh.
import {EventStream} from './sse.js';

class Hub {
  constructor() {
    this.ports = new Set();
    this.state = 'connecting';
    this.stream = new EventStream(self.location.origin + '/api/v1/stream', {
      onStatus: (state) => { this.state = state; this.post({kind: 'status', state}); },
      onEvent: (ev) => this.post({kind: 'event', ev}),
    });
    this.started = false;
  }

  post(msg) {
    for (const p of this.ports) p.postMessage(msg);
  }

  // connect serves one tab: it says hello when it starts and bye when it goes away.
  connect(port) {
    port.onmessage = (e) => {
      const kind = e.data && e.data.kind;
      if (kind === 'hello') {
        this.ports.add(port);
        port.postMessage({kind: 'status', state: this.state});
        if (!this.started) {
          this.started = true;
          this.stream.run();
        }
      } else if (kind === 'bye') {
        this.ports.delete(port);
      }
    };
  }
}

const hub = new Hub();
self.addEventListener('connect', (e) => hub.connect(e.ports[0]));
