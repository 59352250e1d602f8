// Live hands the UI's pages the server's events as they happen. The stream
// itself lives in a shared worker (live-worker.js), one for all tabs of the
// browser; where shared workers are missing (Chrome on Android before they
// shipped there) the tab reads its own stream.
import {API} from './api.js';
import {EventStream} from './sse.js';

const LABELS = {up: 'live', down: 'reconnecting…', connecting: 'connecting…'};

export class Live {
  constructor(statusEl) {
    this.statusEl = statusEl;
    this.listeners = new Set();
    this.count = 0;
  }

  // on adds a listener of {id, type, contactId, data}; it returns its removal.
  on(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  status(state) {
    this.statusEl.textContent = LABELS[state] || state;
    this.statusEl.className = 'live ' + state;
    document.documentElement.dataset.live = state;
  }

  start() {
    if (typeof SharedWorker === 'function' && this.shared()) {
      // A page restored from the back/forward cache connects again: its
      // worker may have ended while it was away.
      window.addEventListener('pageshow', (e) => { if (e.persisted && !this.stream) this.shared(); });
      return;
    }
    this.own();
  }

  // shared connects to the shared worker; false where it cannot start.
  shared() {
    let worker;
    try {
      worker = new SharedWorker(new URL('live-worker.js', import.meta.url), {type: 'module', name: 'connectmail-live'});
    } catch (e) {
      return false;
    }
    document.documentElement.dataset.liveMode = 'shared';
    const port = worker.port;
    let heard = false;
    port.onmessage = (e) => {
      heard = true;
      const m = e.data || {};
      if (m.kind === 'status') this.status(m.state);
      else if (m.kind === 'event') this.dispatch(m.ev);
    };
    // A worker that cannot start (a failed load, no module workers) leaves the tab on its own stream.
    worker.addEventListener('error', () => { if (!heard) this.own(); });
    port.start();
    port.postMessage({kind: 'hello'});
    window.addEventListener('pagehide', () => { port.postMessage({kind: 'bye'}); port.close(); }, {once: true});
    return true;
  }

  own() {
    if (this.stream) return;
    document.documentElement.dataset.liveMode = 'tab';
    this.stream = new EventStream(location.origin + API + '/stream', {onEvent: (ev) => this.dispatch(ev), onStatus: (s) => this.status(s)});
    this.stream.run();
  }

  dispatch(ev) {
    let data = null;
    try { data = JSON.parse(ev.data); } catch (e) { return; }
    const detail = (data && data.detail) || {};
    const msg = {id: ev.id, type: ev.type || detail.eventType || 'message', contactId: detail.contactId || '', data};
    this.count++;
    document.documentElement.dataset.liveEvents = String(this.count);
    for (const fn of [...this.listeners]) {
      try { fn(msg); } catch (e) { console.error(e); }
    }
  }
}
